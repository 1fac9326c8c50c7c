import { expect, it } from 'vitest';
import type { ContactPrekeys, HeraldStore } from '@herald/core';
import { bytes, inboxRecord, outboxRecord } from './helpers.js';

/**
 * The behaviour every HeraldStore shares, as `it` cases for the caller's describe:
 * run on memoryStore and lmdbStore (lmdb-store.test.ts), and on indexedDbStore in
 * Chromium (packages/web-kit/test/indexeddb-store.integration.test.ts). `make`
 * opens a fresh, empty store.
 */
export function storeBehaviour(make: () => Promise<HeraldStore>): void {
  it('stores, replaces, reads and deletes outbox records; envelopes come back as plain Uint8Array', async () => {
    const store = await make();
    expect(await store.getOutbox('missing')).toBeUndefined();
    const record = outboxRecord('m1', { attempts: [{ channel: 'dir', at: 5, outcome: 'failed', code: 'CHANNEL_TIMEOUT' }] });
    await store.putOutbox(record);
    const read = await store.getOutbox('m1');
    expect(read).toStrictEqual(record);
    expect(Object.getPrototypeOf(read!.envelope)).toBe(Uint8Array.prototype);
    const replaced = { ...record, status: 'failed' as const, updatedAt: 2_000, failure: { code: 'NO_CHANNEL', message: 'none left' } };
    await store.putOutbox(replaced);
    expect(await store.getOutbox('m1')).toStrictEqual(replaced);
    expect(await store.listOutbox()).toHaveLength(1);
    await store.deleteOutbox('m1');
    await store.deleteOutbox('m1'); // deleting what is gone is not an error
    expect(await store.getOutbox('m1')).toBeUndefined();
    await store.close();
  });

  it('keeps, replaces and deletes a contact\'s prekeys; bytes come back as plain Uint8Array', async () => {
    const store = await make();
    expect(await store.getContactPrekeys('ALICE')).toBeUndefined();
    const record = { contact: 'ALICE', prekeys: [bytes(120, 1), bytes(1303, 2)], used: [{ id: '0011223344556677', until: 5_000 }] };
    await store.putContactPrekeys(record);
    const read = await store.getContactPrekeys('ALICE');
    expect(read).toStrictEqual(record);
    expect(read!.prekeys.every((each) => Object.getPrototypeOf(each) === Uint8Array.prototype)).toBe(true);
    const replaced = { ...record, prekeys: [bytes(120, 3)], used: [] };
    await store.putContactPrekeys(replaced);
    expect(await store.getContactPrekeys('ALICE')).toStrictEqual(replaced);
    expect(await store.getContactPrekeys('BOB')).toBeUndefined();
    await store.deleteContactPrekeys('ALICE');
    await store.deleteContactPrekeys('ALICE'); // deleting what is gone is not an error
    expect(await store.getContactPrekeys('ALICE')).toBeUndefined();
    await store.close();
  });

  it('updates a contact\'s prekeys atomically: concurrent updates each see the one before', async () => {
    const store = await make();
    expect(await store.updateContactPrekeys('ALICE', () => undefined)).toBeUndefined();
    // Each update appends an id numbered by what it read: were two to see the same state, an id would come twice.
    // The change closes over nothing, so a store in a browser can run it there (see packages/web-kit/test).
    const appendNext = (current: ContactPrekeys | undefined): ContactPrekeys => ({
      contact: 'ALICE',
      prekeys: current?.prekeys ?? [new Uint8Array(50).fill(7)],
      used: [...(current?.used ?? []), { id: `id-${current?.used.length ?? 0}`, until: current?.used.length ?? 0 }],
    });
    await Promise.all(Array.from({ length: 20 }, () => store.updateContactPrekeys('ALICE', appendNext)));
    const read = await store.getContactPrekeys('ALICE');
    expect(read!.used.map((entry) => entry.id)).toEqual(Array.from({ length: 20 }, (_, n) => `id-${n}`));
    // Returning undefined changes nothing and answers the record as it is.
    expect(await store.updateContactPrekeys('ALICE', () => undefined)).toStrictEqual(read);
    await store.close();
  });

  it('keeps a held (awaiting-prekeys) outbox record with its content and envelope id', async () => {
    const store = await make();
    const held = { payload: bytes(40, 9), contentType: 'text/plain; charset=utf-8', ttl: 60, compact: false, cards: ['herald-card:x'] };
    const record = outboxRecord('h1', { status: 'awaiting-prekeys', envelope: new Uint8Array(0), held, envelopeId: 'e1' });
    await store.putOutbox(record);
    const read = await store.getOutbox('h1');
    expect(read).toStrictEqual(record);
    expect(Object.getPrototypeOf(read!.held!.payload)).toBe(Uint8Array.prototype);
    await store.close();
  });

  it('lists the outbox oldest first by createdAt, then id', async () => {
    const store = await make();
    await Promise.all([outboxRecord('c', { createdAt: 20 }), outboxRecord('b', { createdAt: 10 }), outboxRecord('a', { createdAt: 20 }), outboxRecord('d', { createdAt: -5 })].map((record) => store.putOutbox(record)));
    expect((await store.listOutbox()).map((record) => record.id)).toEqual(['d', 'b', 'a', 'c']);
    await store.close();
  });

  it('receive: true and stored the first time, false and unchanged for a duplicate', async () => {
    const store = await make();
    const first = inboxRecord('r1');
    expect(await store.receive(first)).toBe(true);
    expect(await store.receive(inboxRecord('r1', { channel: 'mqtt', envelope: bytes(10, 9) }))).toBe(false);
    const inbox = await store.listInbox();
    expect(inbox).toStrictEqual([first]);
    expect(Object.getPrototypeOf(inbox[0]!.envelope)).toBe(Uint8Array.prototype);
    await store.close();
  });

  it('markSeen: false when already seen, and a seen id is never received', async () => {
    const store = await make();
    expect(await store.markSeen('ack1', 5_000)).toBe(true);
    expect(await store.markSeen('ack1', 5_000)).toBe(false);
    expect(await store.receive(inboxRecord('ack1'))).toBe(false);
    expect(await store.receive(inboxRecord('r2'))).toBe(true);
    expect(await store.markSeen('r2', 5_000)).toBe(false);
    expect(await store.listInbox()).toHaveLength(1);
    await store.close();
  });

  it('removeInbox keeps the id seen; listInbox is ordered by receivedAt, then id', async () => {
    const store = await make();
    for (const [id, at] of [['z', 1], ['y', 3], ['x', 3], ['w', 2]] as const) await store.receive(inboxRecord(id, { receivedAt: at }));
    expect((await store.listInbox()).map((record) => record.id)).toEqual(['z', 'w', 'x', 'y']);
    await store.removeInbox('x');
    await store.removeInbox('never');
    expect((await store.listInbox()).map((record) => record.id)).toEqual(['z', 'w', 'y']);
    expect(await store.receive(inboxRecord('x'))).toBe(false);
    await store.close();
  });

  it('pruneSeen forgets ids that expired before now, never an id still in the inbox', async () => {
    const store = await make();
    await store.markSeen('old-ack', 100);
    await store.markSeen('edge', 200); // expires exactly at `now`: kept
    await store.markSeen('young', 900);
    await store.receive(inboxRecord('old-msg', { expiresAt: 50 })); // expired, but still in the inbox
    await store.receive(inboxRecord('done-msg', { expiresAt: 60 }));
    await store.removeInbox('done-msg');
    expect(await store.pruneSeen(200)).toBe(2);
    expect(await store.pruneSeen(200)).toBe(0);
    expect(await store.markSeen('old-ack', 1_000)).toBe(true); // forgotten, so new again
    expect(await store.receive(inboxRecord('done-msg'))).toBe(true);
    expect(await store.markSeen('edge', 1_000)).toBe(false);
    expect(await store.markSeen('young', 1_000)).toBe(false);
    expect(await store.receive(inboxRecord('old-msg'))).toBe(false);
    await store.removeInbox('old-msg');
    expect(await store.pruneSeen(201)).toBe(2); // old-msg and edge
    await store.close();
  });

  it('answers "not there" for ids that could never be stored', async () => {
    const store = await make();
    const long = 'x'.repeat(3000);
    expect(await store.getOutbox(long)).toBeUndefined();
    expect(await store.getOutbox('')).toBeUndefined();
    await store.deleteOutbox(long);
    await store.removeInbox(long);
    await store.close();
  });

  it('refuses every call once closed; close twice is fine', async () => {
    const store = await make();
    await store.close();
    await store.close();
    await expect(store.getOutbox('a')).rejects.toThrow('store is closed');
    await expect(store.putOutbox(outboxRecord('a'))).rejects.toThrow('store is closed');
    await expect(store.receive(inboxRecord('a'))).rejects.toThrow('store is closed');
  });
}
