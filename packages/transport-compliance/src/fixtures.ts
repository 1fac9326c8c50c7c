import { randomBytes, randomFillSync } from 'node:crypto';
import { envelopeExpiry, envelopeId, envelopeRoutingTags, generateIdentity, seal, toHex, type Identity, type Route } from '@herald/core';

/** The three parties of every test; routing tags are those of real identities, so routing is exercised for real. */
export interface Parties {
  readonly sender: Identity;
  readonly receiver: Identity;
  readonly stranger: Identity;
}

export function makeParties(): Parties {
  return { sender: generateIdentity({ label: 'sender' }), receiver: generateIdentity({ label: 'receiver' }), stranger: generateIdentity({ label: 'stranger' }) };
}

export function tagsOf(identity: Identity): string[] {
  return [toHex(identity.card.routingTag)];
}

/** The route a node would give a transport for these bytes: read from the envelope itself, as relays do. */
export function routeOf(envelope: Uint8Array): Route {
  return { messageId: envelopeId(envelope), routingTags: envelopeRoutingTags(envelope), expiresAt: envelopeExpiry(envelope) };
}

/** A real sealed envelope from `from` to `to`; a random label keeps every envelope's content distinct too. */
export function sealedFor(from: Identity, to: readonly Identity[], body: string | Uint8Array = `compliance ${randomBytes(8).toString('hex')}`): Uint8Array {
  return seal(body, { from, to: to.map((identity) => identity.card), ttl: 3600, contentType: 'application/octet-stream' });
}

/** Bytes a v1 envelope adds around its plaintext when unpadded, for one recipient. */
function overheadBytes(from: Identity, to: Identity): number {
  return seal(new Uint8Array(0), { from, to: to.card, pad: false, contentType: 'application/octet-stream' }).length;
}

/** A real sealed envelope of exactly `size` bytes (unpadded), or undefined when no envelope can be that small. */
export function sealedOfSize(from: Identity, to: Identity, size: number): Uint8Array | undefined {
  const body = size - overheadBytes(from, to);
  if (body < 0) return undefined;
  // Random, not zeros, so a transport that truncates or zero-fills is caught.
  const plaintext = randomFillSync(new Uint8Array(body));
  return seal(plaintext, { from, to: to.card, pad: false, contentType: 'application/octet-stream', ttl: 3600, maxPlaintextBytes: Math.max(body, 1) });
}

/** Where a TransportError came from is no matter (a dist and a src copy of core differ by identity): its shape is the contract. */
export interface TransportErrorShape {
  readonly name: string;
  readonly code: string;
  readonly retryable: boolean;
  readonly channel: string;
  readonly message: string;
}

export function asTransportError(value: unknown): TransportErrorShape | undefined {
  if (!(value instanceof Error) || value.name !== 'TransportError') return undefined;
  const shaped = value as Error & Partial<TransportErrorShape>;
  if (typeof shaped.code !== 'string' || typeof shaped.retryable !== 'boolean' || typeof shaped.channel !== 'string') return undefined;
  return shaped as TransportErrorShape;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
