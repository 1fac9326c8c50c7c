import { afterEach } from 'vitest';
import { generateIdentity, seal, toHex, type Identity, type Transport, type TransportEvent } from '@herald/core';
import { recorder, routeOf, startedFor, type Recorder } from '@herald/transport-compliance';
import { mqttTransport, type MqttTransportInit } from '@herald/transport-mqtt';

/** Test helpers: transports stopped after each test, identities, envelopes, a recording deliver, bounded waits. */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Short timings, so a dead broker is noticed and a restarted one found again within a test's waits. */
export const FAST = { keepaliveSeconds: 1, minReconnectDelayMs: 50, maxReconnectDelayMs: 300, connectTimeoutMs: 2000, sendTimeoutMs: 3000 } as const;

export function transport(init: MqttTransportInit): Transport {
  const made = mqttTransport({ ...FAST, ...init });
  cleanups.push(() => made.stop({ signal: AbortSignal.timeout(5_000) }));
  return made;
}

export const tagOf = (identity: Identity): string => toHex(identity.card.routingTag);
export const party = (label: string): Identity => generateIdentity({ label });

export function envelope(from: Identity, ...to: Identity[]): Uint8Array {
  return seal(`hello ${Math.round(performance.now() * 1000)}`, { from, to: to.map((identity) => identity.card), ttl: 3600 });
}

export { routeOf };

export { recorder, type Recorder };

export function started(subject: Transport, identity: Identity, box: Recorder = recorder()): Promise<Recorder> {
  return startedFor(subject, identity, box, 8000);
}

export function events(subject: Transport): TransportEvent[] {
  const seen: TransportEvent[] = [];
  subject.subscribe((event) => seen.push(event));
  return seen;
}

export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a node's dispatcher does with a retryable failure: try again shortly, until it is accepted. */
export async function sendPersistently(subject: Transport, bytes: Uint8Array, deadlineMs = 15_000): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      await subject.send(bytes, routeOf(bytes), { signal: AbortSignal.timeout(3_000) });
      return attempts;
    } catch (error) {
      const retryable = (error as { retryable?: boolean }).retryable === true || (error as { code?: string }).code === 'ABORTED';
      if (!retryable || Date.now() > deadline) throw error;
      await pause(50);
    }
  }
}
