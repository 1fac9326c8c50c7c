import { TransportError, type InboundEnvelope, type Transport, type TransportHealth } from '@herald/core';

/**
 * Deliberately broken wrappers around a real dirTransport, one fault each, to
 * prove that the compliance suite notices every kind of misbehaviour it claims
 * to check. Test-only; never a model for a transport.
 */
export const FAULTS = [
  'none',
  'duplicate',
  'corrupt',
  'wrong-channel',
  'extra-tags',
  'lossy',
  'ignore-abort',
  'understated-limit',
  'swallow-rejection',
  'replay-on-start',
  'stop-twice-throws',
  'stopped-code',
  'silent',
  'always-up',
  'start-ignores-abort',
  'receipt-channel',
  'stale-received-at',
  'double-start-code',
  'late-abort-ignored',
  'stop-aborted-keeps-running',
  'update-ignored',
] as const;
export type Fault = (typeof FAULTS)[number];

/** State a fault keeps across the receiver and its reopened successors. */
export interface FaultMemory {
  readonly delivered: InboundEnvelope[];
  offers: number;
}

export function faulty(inner: Transport, fault: Fault, strangerTags: readonly string[], memory: FaultMemory): Transport {
  let stops = 0;
  return {
    name: inner.name,
    get capabilities() {
      return fault === 'understated-limit' ? { ...inner.capabilities, maxEnvelopeBytes: Math.floor(inner.capabilities.maxEnvelopeBytes / 2) } : inner.capabilities;
    },
    async start(options) {
      const deliver = async (envelope: InboundEnvelope): Promise<void> => {
        const offered =
          fault === 'corrupt'
            ? { ...envelope, bytes: envelope.bytes.map((byte, index) => (index === envelope.bytes.length - 1 ? byte ^ 1 : byte)) }
            : fault === 'wrong-channel'
              ? { ...envelope, channel: 'somewhere-else' }
              : // As if taken from the carrier (a Date header) instead of the local clock at reception.
                fault === 'stale-received-at'
                ? { ...envelope, receivedAt: envelope.receivedAt - 3_600_000 }
                : envelope;
        if (fault === 'lossy' && memory.offers++ % 2 === 1) return;
        if (fault === 'swallow-rejection') return options.deliver(offered).catch(() => undefined);
        await options.deliver(offered);
        memory.delivered.push(offered);
        if (fault === 'duplicate') await options.deliver(offered);
      };
      const routingTags = fault === 'extra-tags' ? [...options.routingTags, ...strangerTags] : options.routingTags;
      // 'late-abort-ignored' honours a signal aborted before the call only (what the WebSocket transport once did).
      const signal = fault === 'start-ignores-abort' || (fault === 'late-abort-ignored' && !options.signal?.aborted) ? undefined : options.signal;
      try {
        await inner.start({ routingTags, deliver, ...(signal ? { signal } : {}) });
      } catch (error) {
        if (fault === 'double-start-code' && error instanceof TransportError && error.code === 'ALREADY_STARTED') throw new TransportError('CHANNEL_REJECTED', inner.name, 'already started', { retryable: false });
        throw error;
      }
      if (fault === 'replay-on-start') for (const envelope of memory.delivered) await options.deliver(envelope).catch(() => undefined);
    },
    async stop(options) {
      if (fault === 'stop-twice-throws' && ++stops > 1) throw new Error('already stopped');
      if (fault === 'stop-aborted-keeps-running' && options?.signal?.aborted) throw new TransportError('ABORTED', inner.name, 'stop aborted');
      return inner.stop(options);
    },
    async send(envelope, route, options = {}) {
      try {
        const receipt = await inner.send(envelope, route, fault === 'ignore-abort' ? {} : options);
        return fault === 'receipt-channel' ? { ...receipt, channel: 'somewhere-else' } : receipt;
      } catch (error) {
        if (fault === 'stopped-code' && error instanceof TransportError && error.code === 'CHANNEL_STOPPED') throw new TransportError('CHANNEL_UNAVAILABLE', inner.name, 'stopped');
        throw error;
      }
    },
    async updateRoutingTags(routingTags, options) {
      // As if the new set were taken and never applied.
      if (fault === 'update-ignored') return;
      return inner.updateRoutingTags!(routingTags, options);
    },
    health(): TransportHealth {
      return fault === 'always-up' ? { ...inner.health(), state: 'up' } : inner.health();
    },
    subscribe(listener) {
      return fault === 'silent' ? () => undefined : inner.subscribe(listener);
    },
  };
}

/** Cases each fault must make fail (substrings of test names). */
export const MUST_FAIL: Readonly<Record<Fault, readonly string[]>> = {
  none: [],
  duplicate: ['byte-identical, exactly once', 'several recipients', 'sent concurrently'],
  corrupt: ['byte-identical, exactly once'],
  'wrong-channel': ['byte-identical, exactly once'],
  'extra-tags': ['another routing tag'],
  lossy: ['sent concurrently'],
  'ignore-abort': ['already aborted with ABORTED, and delivers nothing'],
  'understated-limit': ['larger than maxEnvelopeBytes'],
  'swallow-rejection': ['offers an envelope again when deliver rejects', 'does not lose an envelope whose deliver was refused'],
  'replay-on-start': ['does not offer an accepted envelope again after the receiver restarts'],
  'stop-twice-throws': ['stop() is idempotent'],
  'stopped-code': ['rejects send after stop() with CHANNEL_STOPPED', 'refuses send() before start() with CHANNEL_STOPPED', 'stops when the start signal aborts after start() resolved'],
  silent: ['emits health changes to subscribers', 'reports a cut medium'],
  'always-up': ['emits health changes to subscribers', 'stop() is idempotent', 'reports a cut medium'],
  'start-ignores-abort': ['rejects start() whose signal is already aborted', 'stops when the start signal aborts after start() resolved', 'while start() is under way'],
  'receipt-channel': ['receipt naming the channel'],
  'stale-received-at': ['byte-identical, exactly once'],
  'double-start-code': ['refuses a second start() with ALREADY_STARTED'],
  'late-abort-ignored': ['stops when the start signal aborts after start() resolved', 'while start() is under way'],
  'stop-aborted-keeps-running': ['stop() with an aborted signal rejects with ABORTED and stops the transport all the same'],
  'update-ignored': ['envelopes for an added tag are delivered', 'refused before start and after stop'],
};
