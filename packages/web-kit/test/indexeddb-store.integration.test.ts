import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeraldStore } from '@herald/core';
import type { Page } from 'puppeteer-core';
import { browserHarness, type BrowserHarness } from '@herald/web-kit';
import { inboxRecord, outboxRecord } from '../../store-lmdb/test/helpers.js';
import { storeBehaviour } from '../../store-lmdb/test/store-behaviour.js';
import { agreesWithMemoryStore } from '../../store-lmdb/test/store-mutations.js';
import { pageStore } from './page-store.js';
import { PAGES, skipReason } from './skip.js';
import type { StoreProxy } from './pages/store.js';
import { encode } from './pages/wire.js';

declare const storeProxy: StoreProxy;

/** The store suite memoryStore and lmdbStore pass, on indexedDbStore in a real Chromium's IndexedDB. */
describe.skipIf(skipReason !== undefined)('HeraldStore behaviour: indexedDbStore in Chromium', () => {
  let harness: BrowserHarness;
  let page: Page;
  beforeAll(async () => {
    harness = await browserHarness(PAGES, ['store']);
    page = await harness.open('store');
  });
  afterAll(() => harness?.close());

  storeBehaviour(() => pageStore(page));

  it('accepts exactly one of 100 concurrent receives of the same id', async () => {
    const store = await pageStore(page);
    const results = await Promise.all(Array.from({ length: 100 }, () => store.receive(inboxRecord('same'))));
    expect(results.filter((stored) => stored === true)).toHaveLength(1);
    expect(await store.listInbox()).toHaveLength(1);
    await store.close();
  });

  it('holds the outbox bound under concurrency (CAPACITY_EXCEEDED), and still replaces stored records', async () => {
    const store = await pageStore(page, { maxOutbox: 5 });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => store.putOutbox(outboxRecord(`m${n}`))));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(String(outcome.reason)).toContain('outbox is full: 5 records (maxOutbox)');
    const [kept] = await store.listOutbox();
    await store.putOutbox({ ...kept!, status: 'delivered' });
    expect((await store.getOutbox(kept!.id))?.status).toBe('delivered');
    await store.close();
  });

  it('agrees with memoryStore on random sequences of concurrent batches of mutations (results and state after each batch)', async () => {
    // Each batch is issued together: IndexedDB runs transactions over overlapping stores in the order they were made.
    const snapshot = async (store: HeraldStore): Promise<unknown> => ({ outbox: await store.listOutbox(), inbox: await store.listInbox(), a: await store.getOutbox('a') });
    await agreesWithMemoryStore(
      () => pageStore(page),
      async (subject, reference) => expect(await snapshot(subject)).toStrictEqual(await snapshot(reference)),
      25,
    );
  });

  it('keeps outbox, inbox and seen-set across close and reopen', async () => {
    const name = `reopen-${Date.now()}`;
    const first = await pageStore(page, { name });
    await first.putOutbox(outboxRecord('kept'));
    await first.receive(inboxRecord('in'));
    await first.markSeen('ack', 9_000);
    await first.close();
    const second = await pageStore(page, { name });
    expect(await second.getOutbox('kept')).toStrictEqual(outboxRecord('kept'));
    expect(await second.listInbox()).toStrictEqual([inboxRecord('in')]);
    expect(await second.markSeen('ack', 9_000)).toBe(false);
    await second.close();
  });
});

/** Two tabs of one site in a real Chromium: the Web Lock makes one of them the node on a database. */
describe.skipIf(skipReason !== undefined)('indexedDbStore: one tab at a time', () => {
  let harness: BrowserHarness;
  beforeAll(async () => {
    harness = await browserHarness(PAGES, ['store']);
  });
  afterAll(() => harness?.close());

  /** Opens a store in `page`; resolves with its handle, or the error's code when refused. */
  const openIn = (page: Page, init: Record<string, unknown>): Promise<number | string> =>
    page.evaluate((text) => storeProxy.open(text).catch((error: { code?: string; message?: string }) => error.code ?? String(error.message)), encode(init));

  it('refuses a second tab STORE_IN_USE while the first holds the database, and lets it in once that one closes', async () => {
    const [first, second] = [await harness.open('store'), await harness.open('store')];
    const name = `shared-${Date.now()}`;
    const held = await openIn(first, { name });
    expect(typeof held).toBe('number');
    expect(await openIn(second, { name })).toBe('STORE_IN_USE');
    expect(await openIn(first, { name })).toBe('STORE_IN_USE');
    expect(typeof (await openIn(second, { name: `${name}-other` }))).toBe('number');
    expect(typeof (await openIn(second, { name, exclusive: false }))).toBe('number');
    await first.evaluate((handle) => storeProxy.call(handle, 'close', '[]'), held as number);
    expect(typeof (await openIn(second, { name }))).toBe('number');
    await first.close();
    await second.close();
  });

  it('lets another tab in when the holding tab is closed without closing its store', async () => {
    const [first, second] = [await harness.open('store'), await harness.open('store')];
    const name = `crashed-${Date.now()}`;
    expect(typeof (await openIn(first, { name }))).toBe('number');
    expect(await openIn(second, { name })).toBe('STORE_IN_USE');
    await first.close();
    await expect.poll(() => openIn(second, { name }), { timeout: 10_000 }).toBeTypeOf('number');
    await second.close();
  });
});
