import { afterEach, describe, expect, it } from 'vitest';
import type { NodeEvent } from '@herald/core';
import { FAST, pair, receive, waitUntil, type Pair } from './fixtures.js';

let current: Pair | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe('end-to-end acks', () => {
  it('offers an ack that no channel took again, so the message is delivered long before the sender would resend it', async () => {
    // The sender resends only after a minute: any earlier delivery comes from the recipient's ack retry.
    current = await pair(['a'], { ...FAST, ackDeadlineMs: { FLASH: 60_000, IMMEDIATE: 60_000, PRIORITY: 60_000, ROUTINE: 60_000 } });
    const acksSent: string[] = [];
    current.bobNode.subscribe((event: NodeEvent) => void (event.type === 'ack-sent' && acksSent.push(event.channel)));
    const bobsChannel = current.bobChannels[0]!;
    bobsChannel.faults.fail = true;
    const handle = await current.aliceNode.send('Bob', 'acked late');
    await receive(current.bobNode, 1);
    // Bob's node tried to ack and failed.
    await waitUntil(() => bobsChannel.sent.length > 0);
    expect(acksSent).toEqual([]);
    bobsChannel.faults.fail = false;
    expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    expect(acksSent).toEqual(['a']);
    // Alice sent it once: no resend was needed.
    expect(current.aliceChannels[0]!.sent).toHaveLength(1);
  });
});
