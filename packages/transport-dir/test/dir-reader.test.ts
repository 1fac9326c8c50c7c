import { execFileSync } from 'node:child_process';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bob, carol, envelopeTo, events, pause, recorder, routeOf, tagOf, tempFolder, transport, until } from './helpers.js';

/** Files as a sender (or a sync service, or someone with the stick) would leave them in the folder. */
async function drop(spool: string, envelope: Uint8Array, tag: string): Promise<string> {
  const name = `${tag}.${routeOf(envelope).messageId}.env`;
  await writeFile(join(spool, name), envelope);
  return name;
}

describe('picking up', () => {
  it('delivers only files for its own tags, removes them after deliver resolves, and leaves everything else alone', async () => {
    const spool = await tempFolder();
    const mine = envelopeTo(bob);
    const mineName = await drop(spool, mine, tagOf(bob));
    const theirs = await drop(spool, envelopeTo(carol), tagOf(carol));
    const strays = ['.tmp-0123abcd', `.tmp-${tagOf(bob)}.${routeOf(mine).messageId}.env`, 'README.txt', `${tagOf(bob)}.env`, `${tagOf(bob).toUpperCase()}.${routeOf(mine).messageId}.env`];
    for (const stray of strays) await writeFile(join(spool, stray), mine);
    await mkdir(join(spool, `${tagOf(bob)}.${'ab'.repeat(16)}.env`));
    const inbox = recorder();
    const reader = transport({ path: spool });
    await reader.start({ routingTags: [tagOf(bob)], deliver: inbox.deliver });
    await until('delivery', () => inbox.received.length === 1);
    expect(inbox.received[0]).toMatchObject({ bytes: mine, channel: reader.name });
    await until('removal', async () => !(await readdir(spool)).includes(mineName));
    await pause(100);
    expect(inbox.offers).toBe(1);
    expect((await readdir(spool)).sort()).toEqual([theirs, ...strays, `${tagOf(bob)}.${'ab'.repeat(16)}.env`].sort());
    expect(reader.health().lastSuccess).toBeGreaterThan(0);
  });

  it('keeps a file the node refused and offers it again with a growing, bounded backoff; an error event says why', async () => {
    const spool = await tempFolder();
    const name = await drop(spool, envelopeTo(bob), tagOf(bob));
    const inbox = recorder();
    inbox.refuse = true;
    const reader = transport({ path: spool, pollIntervalMs: 10, maxRetryDelayMs: 40 });
    const seen = events(reader);
    await reader.start({ routingTags: [tagOf(bob)], deliver: inbox.deliver });
    await pause(400);
    // Backoff 10, 20, 40, 40, … ms plus polling: far fewer offers than polls, but more than a few.
    expect(inbox.offers).toBeGreaterThanOrEqual(4);
    expect(inbox.offers).toBeLessThan(20);
    expect(await readdir(spool)).toEqual([name]);
    expect(seen.some((event) => event.type === 'error' && /did not take/.test(event.error.message))).toBe(true);
    inbox.refuse = false;
    await until('acceptance', () => inbox.received.length === 1);
    await until('removal', async () => (await readdir(spool)).length === 0);
  });

  it('skips (never deletes) a file over maxEnvelopeBytes, reporting it once', async () => {
    const spool = await tempFolder();
    const big = `${tagOf(bob)}.${'ff'.repeat(16)}.env`;
    await writeFile(join(spool, big), new Uint8Array(2048));
    const small = envelopeTo(bob);
    await drop(spool, small, tagOf(bob));
    const inbox = recorder();
    const reader = transport({ path: spool, maxEnvelopeBytes: 1024 });
    const seen = events(reader);
    await reader.start({ routingTags: [tagOf(bob)], deliver: inbox.deliver });
    await until('the small one', () => inbox.received.length === 1);
    await pause(100);
    expect(inbox.received.map((envelope) => envelope.bytes)).toEqual([small]);
    expect(await readdir(spool)).toEqual([big]);
    const reports = seen.filter((event) => event.type === 'error' && event.error.message.includes(big));
    expect(reports).toHaveLength(1);
    expect(reports[0]?.type === 'error' && reports[0].error.message).toMatch(/2048 bytes exceeds maxEnvelopeBytes \(1024\)/);
  });

  it('never follows a symlink or opens a FIFO named like a spool file', async () => {
    const spool = await tempFolder();
    const outside = join(await tempFolder(), 'secret');
    const envelope = envelopeTo(bob);
    await writeFile(outside, envelope);
    const link = `${tagOf(bob)}.${'11'.repeat(16)}.env`;
    const fifo = `${tagOf(bob)}.${'22'.repeat(16)}.env`;
    await symlink(outside, join(spool, link));
    execFileSync('mkfifo', [join(spool, fifo)]);
    const inbox = recorder();
    const reader = transport({ path: spool });
    await reader.start({ routingTags: [tagOf(bob)], deliver: inbox.deliver });
    await pause(150);
    expect(inbox.offers).toBe(0);
    expect((await readdir(spool)).sort()).toEqual([link, fifo].sort());
  });

  it('finds its file in a folder larger than one poll’s listing budget', async () => {
    const spool = await tempFolder();
    for (let index = 0; index < 300; index++) await writeFile(join(spool, `${tagOf(carol)}.${index.toString(16).padStart(32, '0')}.env`), 'x');
    const envelope = envelopeTo(bob);
    await drop(spool, envelope, tagOf(bob));
    const inbox = recorder();
    const reader = transport({ path: spool, maxEntriesPerPoll: 16, pollIntervalMs: 10 });
    await reader.start({ routingTags: [tagOf(bob)], deliver: inbox.deliver });
    await until('delivery across several polls', () => inbox.received.length === 1);
  });

  it('has at most maxDeliveriesInFlight deliveries awaiting the node at once', async () => {
    const spool = await tempFolder();
    for (let index = 0; index < 12; index++) await drop(spool, envelopeTo(bob), tagOf(bob));
    let active = 0;
    let peak = 0;
    let done = 0;
    const reader = transport({ path: spool, maxDeliveriesInFlight: 3 });
    await reader.start({
      routingTags: [tagOf(bob)],
      deliver: async () => {
        peak = Math.max(peak, ++active);
        await pause(20);
        active--;
        done++;
      },
    });
    await until('all twelve', () => done === 12);
    expect(peak).toBe(3);
  });
});
