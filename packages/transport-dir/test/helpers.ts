import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { generateIdentity, seal, toHex, type Identity, type InboundEnvelope, type Transport, type TransportEvent } from '@herald/core';
import { routeOf } from '@herald/transport-compliance';
import { dirTransport, type DirTransportInit } from '@herald/transport-dir';

/** Test helpers: temp folders and transports cleaned up after each test, identities, envelopes, a recording deliver. */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

export async function tempFolder(): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), 'herald-dir-test-'));
  cleanups.push(() => rm(base, { recursive: true, force: true }));
  return base;
}

export function transport(init: DirTransportInit): Transport {
  const made = dirTransport({ pollIntervalMs: 20, ...init });
  cleanups.push(() => made.stop({ signal: AbortSignal.timeout(5_000) }));
  return made;
}

export const alice: Identity = generateIdentity({ label: 'alice' });
export const bob: Identity = generateIdentity({ label: 'bob' });
export const carol: Identity = generateIdentity({ label: 'carol' });
export const tagOf = (identity: Identity): string => toHex(identity.card.routingTag);

export function envelopeTo(...to: Identity[]): Uint8Array {
  return seal('hello', { from: alice, to: to.map((identity) => identity.card) });
}

export { routeOf };

export interface Recorder {
  readonly deliver: (envelope: InboundEnvelope) => Promise<void>;
  readonly received: InboundEnvelope[];
  /** Offers, accepted or refused. */
  offers: number;
  refuse: boolean;
}

export function recorder(): Recorder {
  const self: Recorder = {
    received: [],
    offers: 0,
    refuse: false,
    async deliver(envelope) {
      self.offers++;
      if (self.refuse) throw new Error('store unavailable');
      self.received.push(envelope);
    },
  };
  return self;
}

export function events(subject: Transport): TransportEvent[] {
  const seen: TransportEvent[] = [];
  subject.subscribe((event) => seen.push(event));
  return seen;
}

export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
