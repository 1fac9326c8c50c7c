import { afterAll, describe, expect, it } from 'vitest';
import { blindedMailbox, epochOf, generateIdentity, inspect, toHex, type InboundEnvelope, type Transport } from '@herald/core';
import { webSocketTransport } from '@herald/transport-websocket';
import { envelopeForTag, epochIdentity } from './helpers/epoch-mail.js';
import { until } from './helpers/nodes.js';
import { relayForFile } from './helpers/relay-process.js';

/** The WebSocket transport with epoch tags (docs/relay-protocol.md 4.5), against a real relay process. */
const relay = relayForFile();
const transports: Transport[] = [];
afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.stop()));
});

const EPOCH_SECONDS = 3600;
const route = (envelope: Uint8Array, tag: Uint8Array) => ({ messageId: inspect(envelope).id, routingTags: [toHex(tag)], expiresAt: Date.now() + 60_000 });
const authenticated = async (): Promise<number | undefined> => relay().metric('herald_relay_authenticated_connections');

describe('WebSocket transport with epoch tags (real relay process)', () => {
  it('collects its static tag over AUTH and each epoch tag over its own connection; updateRoutingTags moves them', async () => {
    const bob = epochIdentity(EPOCH_SECONDS);
    const epoch = epochOf(Date.now(), EPOCH_SECONDS);
    const [current, next] = [blindedMailbox(bob, epoch), blindedMailbox(bob, epoch + 1)];
    const received: InboundEnvelope[] = [];
    const channel = webSocketTransport({ url: relay().url, identity: bob, minReconnectDelayMs: 50 });
    const sender = webSocketTransport({ url: relay().url, identity: generateIdentity(), collect: false });
    transports.push(channel, sender);
    await sender.start({ routingTags: [], deliver: async () => undefined });
    await channel.start({ routingTags: [toHex(bob.card.routingTag), toHex(current.tag)], deliver: async (envelope) => void received.push(envelope) });
    // The sender's, Bob's AUTH (static tag) and Bob's one epoch connection.
    expect(await authenticated()).toBe(3);
    expect(channel.health().state).toBe('up');
    const toStatic = envelopeForTag(bob.card.routingTag, 'static');
    const toCurrent = envelopeForTag(current.tag, 'current');
    await sender.send(toStatic, route(toStatic, bob.card.routingTag));
    await sender.send(toCurrent, route(toCurrent, current.tag));
    await until('both delivered', () => received.length === 2, 10_000);

    // The next epoch only: the AUTH connection and the old epoch's close, the new one opens.
    await channel.updateRoutingTags!([toHex(next.tag)]);
    await until('one connection of Bob’s left', async () => (await authenticated()) === 2, 5_000);
    const toNext = envelopeForTag(next.tag, 'next');
    await sender.send(toNext, route(toNext, next.tag));
    await until('the next epoch’s delivered', () => received.length === 3, 10_000);
    // Depositing goes over the epoch connection (no AUTH connection is open).
    const own = envelopeForTag(next.tag, 'bob to himself');
    await expect(channel.send(own, route(own, next.tag))).resolves.toMatchObject({ channel: relay().url });
    await until('his own delivered', () => received.length === 4, 10_000);
    expect(await authenticated()).toBe(2);
    // A prekey upload needs an AUTH connection (MAILBOX_AUTH shows no identity): it opens one, which stays. The relay
    // reads the bundle there (and finds this one malformed).
    await expect(channel.prekeys!.upload(Uint8Array.of(1))).rejects.toMatchObject({ code: 'CHANNEL_REJECTED', message: expect.stringContaining('relay refused the envelope: PREKEYS_REFUSED') });
    expect(await authenticated()).toBe(3);
    await channel.updateRoutingTags!([toHex(next.tag)]);
    expect(await authenticated()).toBe(3);
    // A mailbox dropped is no longer collected: mail to the old epoch stays at the relay.
    const late = envelopeForTag(current.tag, 'late');
    await sender.send(late, route(late, current.tag));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.map((envelope) => inspect(envelope.bytes).id).sort()).toEqual([toStatic, toCurrent, toNext, own].map((envelope) => inspect(envelope).id).sort());

    // A tag that is neither the identity's nor one of its epoch tags is refused, and the set is left as it was.
    const stranger = epochIdentity(EPOCH_SECONDS);
    await expect(channel.updateRoutingTags!([toHex(blindedMailbox(stranger, epoch).tag)])).rejects.toMatchObject({ code: 'CHANNEL_REJECTED' });
    expect(await authenticated()).toBe(3);
    await channel.stop();
    await until('Bob’s connections closed', async () => (await authenticated()) === 1, 5_000);
  });

  it('an identity without epoch tags (card v1) still refuses any tag but its own', async () => {
    const carol = generateIdentity();
    const channel = webSocketTransport({ url: relay().url, identity: carol });
    transports.push(channel);
    await expect(channel.start({ routingTags: [toHex(blindedMailbox(epochIdentity(EPOCH_SECONDS), 1).tag)], deliver: async () => undefined })).rejects.toMatchObject({ code: 'CHANNEL_REJECTED' });
  });
});
