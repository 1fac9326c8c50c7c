import { afterEach, describe, expect, it } from 'vitest';
import { createNode, generateIdentity, memoryPrekeySecretStore, memoryStore, type NodeEvent, type OwnedPrekey } from '@herald/core';
import { memoryMedium } from './memory-transport.js';
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

describe('an ack when the prekey store fails', () => {
  it('goes out without prekeys (reported as an error event) rather than not at all', async () => {
    const medium = memoryMedium();
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const secrets = memoryPrekeySecretStore(bob);
    let failing = false;
    // The prekey store refuses writes once the node runs (a full disk): each ack would otherwise carry a new one-time prekey.
    const faulty = new Proxy(secrets, { get: (target, key) => (key === 'put' ? (owned: OwnedPrekey) => (failing ? Promise.reject(new Error('no room left on the device')) : target.put(owned)) : Reflect.get(target, key)) });
    const aliceNode = createNode({ identity: alice, contacts: [bob.card], store: memoryStore(), channels: [medium.channel('a')], policy: FAST });
    const bobNode = createNode({ identity: bob, contacts: [alice.card], store: memoryStore(), channels: [medium.channel('a')], policy: { ...FAST, ackDeadlineMs: { FLASH: 60_000, IMMEDIATE: 60_000, PRIORITY: 60_000, ROUTINE: 60_000 } }, prekeys: faulty });
    const errors: Error[] = [];
    bobNode.subscribe((event: NodeEvent) => void (event.type === 'error' && errors.push(event.error)));
    await aliceNode.start();
    await bobNode.start();
    try {
      failing = true;
      const handle = await aliceNode.send('Bob', 'ack me anyway');
      await receive(bobNode, 1);
      expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
      expect(errors.map((error) => error.message)).toContain('no room left on the device');
    } finally {
      await Promise.all([aliceNode.stop(), bobNode.stop()]);
    }
  });
});
