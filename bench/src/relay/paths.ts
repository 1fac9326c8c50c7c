import WebSocket from 'ws';
import { envelopeExpiry, envelopeId, envelopeRoutingTags, open, seal, toHex, type Identity, type Route } from '@herald/core';
import { webSocketTransport, type WebSocketTransportInit } from '@herald/transport-websocket';

/** Padding and cover traffic of both ends' transports (bench:shape). */
export type TrafficShape = Pick<WebSocketTransportInit, 'padding' | 'coverTraffic'>;
import type { PathUnderTest } from './pipeline.js';

/** A path, its connections kept open across rounds, and how to close it. */
export interface OpenPath {
  readonly path: PathUnderTest;
  close(): Promise<void>;
}

/** Envelopes are told apart on arrival by their last 16 bytes (the AEAD tag): the same cheap lookup on every path. */
export const keyOf = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset + bytes.byteLength - 16, 16).toString('latin1');

const routeOf = (envelope: Uint8Array): Route => ({ messageId: envelopeId(envelope), routingTags: envelopeRoutingTags(envelope), expiresAt: envelopeExpiry(envelope) });

/**
 * Sealed envelopes through the relay with the WebSocket transport on both sides: deposit, durable store, push, ack,
 * durable removal. `receiveUrl`: the receiver collects from another relay sharing the store (a relay cluster).
 * `shape`: both transports' padding and cover traffic.
 */
export async function relayPath(url: string, alice: Identity, bob: Identity, envelopes: readonly Uint8Array[], receiveUrl = url, shape: TrafficShape = {}): Promise<OpenPath> {
  const index = new Map(envelopes.map((envelope, position) => [keyOf(envelope), position]));
  const routes = envelopes.map(routeOf);
  let arrival: (index: number) => void = () => undefined;
  const sender = webSocketTransport({ url, identity: alice, collect: false, maxPendingSends: 4096, ...shape });
  const receiver = webSocketTransport({ url: receiveUrl, identity: bob, maxPendingDeliveries: 4096, ...shape });
  await sender.start({ routingTags: [], deliver: async () => undefined });
  await receiver.start({ routingTags: [toHex(bob.card.routingTag)], deliver: async (inbound) => arrival(index.get(keyOf(inbound.bytes)) ?? -1) });
  return {
    path: { send: (position) => sender.send(envelopes[position]!, routes[position]!), onArrival: (callback) => void (arrival = callback) },
    async close() {
      await sender.stop();
      await receiver.stop();
    },
  };
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * The same envelopes through the bare forwarder: what moving the bytes alone costs. With `receipts`, the receiver
 * sends back the last 16 bytes of each envelope it got (those of one event-loop pass in one frame, as Herald's ACKs
 * go), the forwarder passes them to the sender, and a send resolves when its receipt is back — the four trips the
 * relay's path makes (deposit, push, ACK, ACCEPTED), with no storage, no crypto and no protocol.
 */
export async function forwarderPath(url: string, envelopes: readonly Uint8Array[], receipts = false): Promise<OpenPath> {
  const index = new Map(envelopes.map((envelope, position) => [keyOf(envelope), position]));
  let arrival: (index: number) => void = () => undefined;
  const sender = await openSocket(url);
  const receiver = await openSocket(url);
  if (receipts) sender.send('sender');
  receiver.send('receiver');
  const unsent: Buffer[] = [];
  receiver.on('message', (data) => {
    const bytes = data as Buffer;
    arrival(index.get(keyOf(new Uint8Array(bytes))) ?? -1);
    if (!receipts) return;
    if (unsent.length === 0) setImmediate(() => receiver.send(Buffer.concat(unsent.splice(0))));
    unsent.push(bytes.subarray(bytes.length - 16));
  });
  const waiting = new Map<string, () => void>();
  sender.on('message', (data) => {
    const bytes = data as Buffer;
    for (let offset = 0; offset + 16 <= bytes.length; offset += 16) {
      const key = bytes.toString('latin1', offset, offset + 16);
      waiting.get(key)?.();
      waiting.delete(key);
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const send = (position: number): Promise<void> | undefined => {
    if (!receipts) return void sender.send(envelopes[position]!);
    return new Promise<void>((resolve) => {
      waiting.set(keyOf(envelopes[position]!), resolve);
      sender.send(envelopes[position]!);
    });
  };
  return {
    path: { send, onArrival: (callback) => void (arrival = callback) },
    async close() {
      sender.close();
      receiver.close();
    },
  };
}

/** The whole path: seal at the sender (inside the clock), relay, open and verify at the receiver. */
export async function wholePath(url: string, alice: Identity, bob: Identity, body: Uint8Array): Promise<OpenPath> {
  let arrival: (index: number) => void = () => undefined;
  const sender = webSocketTransport({ url, identity: alice, collect: false, maxPendingSends: 4096 });
  const receiver = webSocketTransport({ url, identity: bob, maxPendingDeliveries: 4096 });
  await sender.start({ routingTags: [], deliver: async () => undefined });
  await receiver.start({
    routingTags: [toHex(bob.card.routingTag)],
    deliver: async (inbound) => {
      const opened = await open(inbound.bytes, { identity: bob, contacts: [alice.card], requireKnownSender: true });
      arrival(new DataView(opened.plaintext.buffer, opened.plaintext.byteOffset).getUint32(0));
    },
  });
  return {
    path: {
      send(position) {
        const message = body.slice();
        new DataView(message.buffer).setUint32(0, position);
        const envelope = seal(message, { from: alice, to: bob.card, contentType: 'application/octet-stream' });
        return sender.send(envelope, routeOf(envelope));
      },
      onArrival: (callback) => void (arrival = callback),
    },
    async close() {
      await sender.stop();
      await receiver.stop();
    },
  };
}
