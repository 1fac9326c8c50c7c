import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { envelopeId } from '@herald/core';
import { alice, bob, carol, envelopeTo, recorder, routeOf, tagOf, tempFolder, transport, until } from './helpers.js';

/**
 * updateRoutingTags on a spool folder (epoch tags, docs/protocol.md): a dropped tag's files written before the
 * update are still picked up — the update resolves once a listing pass after it has ended and those files
 * were delivered — and none written after it is touched.
 */
describe('dir updateRoutingTags', () => {
  it('drains a dropped tag before resolving: every file written before the drop delivered once, later ones left in the folder', async () => {
    const path = await tempFolder();
    // A slow poll and a small listing budget: the files are still waiting when the update comes, over several polls.
    const receiver = transport({ path, pollIntervalMs: 200, maxEntriesPerPoll: 16 });
    const writer = transport({ path, pollIntervalMs: 200 });
    const box = recorder();
    await receiver.start({ routingTags: [tagOf(bob), tagOf(carol)], deliver: box.deliver });
    await writer.start({ routingTags: [tagOf(alice)], deliver: async () => undefined });
    const before = Array.from({ length: 40 }, () => envelopeTo(carol));
    for (const bytes of before) await writer.send(bytes, routeOf(bytes));
    await receiver.updateRoutingTags!([tagOf(bob)], { signal: AbortSignal.timeout(10_000) });
    const received = (): string[] => box.received.map((inbound) => envelopeId(inbound.bytes));
    expect(before.filter((bytes) => !received().includes(envelopeId(bytes))).length, 'files of the dropped tag not yet delivered when the update resolved').toBe(0);

    const after = envelopeTo(carol);
    await writer.send(after, routeOf(after));
    const toBob = envelopeTo(bob);
    await writer.send(toBob, routeOf(toBob));
    await until('a file for the kept tag', () => received().includes(envelopeId(toBob)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(received().includes(envelopeId(after)), 'a file for the dropped tag written after the update').toBe(false);
    expect(received().length, 'each delivered once').toBe(before.length + 1);
    expect((await readdir(path)).filter((name) => name.startsWith(tagOf(carol))), 'the late file stays for whoever collects it').toHaveLength(1);
  });

  it('a stop during the drain ends the update (CHANNEL_STOPPED) and the stop completes', async () => {
    const path = await tempFolder();
    const receiver = transport({ path, pollIntervalMs: 3_600_000 });
    await receiver.start({ routingTags: [tagOf(bob), tagOf(carol)], deliver: async () => undefined });
    // The hour-long poll interval: no pass ends before the stop, so the drain is still waiting.
    const updating = receiver.updateRoutingTags!([tagOf(bob)]);
    const outcome = expect(updating).rejects.toMatchObject({ code: 'CHANNEL_STOPPED' });
    await receiver.stop({ signal: AbortSignal.timeout(5_000) });
    await outcome;
  });
});
