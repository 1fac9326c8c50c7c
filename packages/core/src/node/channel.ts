import pRetry from 'p-retry';
import { HeraldError, TransportError } from '../errors.js';
import type { Route, SendReceipt, Transport } from '../transport.js';
import { followRoundTrip, TIMEOUT_CEILINGS } from '../transport-kit/rtt.js';
import { linkedController } from './async.js';
import { createBreaker, type Breaker } from './breaker.js';
import type { ResolvedPolicy } from './policy.js';

/** A transport as the router sees it: the transport, its breaker, and a guarded send. */
export interface Channel {
  readonly name: string;
  readonly transport: Transport;
  readonly breaker: Breaker;
  /** Usable now: not reported down and its breaker lets a send through. Consumes the half-open probe. */
  available(now: number): boolean;
  /** One channel, with timeout per attempt and retries with backoff and jitter for retryable errors. */
  send(envelope: Uint8Array, route: Route, signal: AbortSignal): Promise<SendReceipt>;
}

export function toTransportError(error: unknown, channel: string): HeraldError {
  if (error instanceof HeraldError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return new TransportError(error.name === 'TimeoutError' ? 'CHANNEL_TIMEOUT' : 'ABORTED', channel, message, { cause: error });
  }
  return new TransportError('CHANNEL_UNAVAILABLE', channel, message, { cause: error });
}

export function createChannel(transport: Transport, policy: ResolvedPolicy, onBreakerChange: (state: string) => void): Channel {
  const breaker = createBreaker(policy.breakerThreshold, policy.breakerCooldownMs, onBreakerChange);
  const name = transport.name;

  async function attempt(envelope: Uint8Array, route: Route, signal: AbortSignal): Promise<SendReceipt> {
    // policy.sendTimeoutMs, or on a slow link two of its round trips and their variation: the transport's own
    // per-send timeout (one round trip) reports first, and a satellite link's sends are not cut short and resent.
    const timeoutMs = followRoundTrip(transport.roundTrip?.(), policy.sendTimeoutMs, TIMEOUT_CEILINGS.sendMs, 2);
    const linked = linkedController(signal, timeoutMs);
    const timeoutError = (cause?: unknown): TransportError => new TransportError('CHANNEL_TIMEOUT', name, `no acceptance within ${timeoutMs} ms`, cause === undefined ? {} : { cause });
    try {
      return await Promise.race([
        transport.send(envelope, route, { signal: linked.signal }),
        new Promise<never>((_, reject) => {
          // A transport that ignores its signal must not hold the router forever.
          const onAbort = (): void => reject(linked.timedOut() ? timeoutError() : new TransportError('ABORTED', name, 'send aborted'));
          if (linked.signal.aborted) onAbort();
          else linked.signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } catch (error) {
      if (linked.timedOut() && !signal.aborted) throw timeoutError(error);
      throw toTransportError(error, name);
    } finally {
      linked.release();
    }
  }

  return {
    name,
    transport,
    breaker,
    available(now) {
      return transport.health().state !== 'down' && breaker.allow(now);
    },
    async send(envelope, route, signal) {
      try {
        const receipt = await pRetry(() => attempt(envelope, route, signal), {
          retries: policy.retriesPerChannel,
          minTimeout: policy.retryMinDelayMs,
          maxTimeout: policy.maxBackoffMs,
          factor: 2,
          randomize: true,
          signal,
          shouldRetry: ({ error }) => error instanceof HeraldError && error.retryable && !signal.aborted,
        });
        breaker.success();
        return receipt;
      } catch (error) {
        const mapped = toTransportError(error, name);
        if (mapped.code === 'ABORTED') breaker.cancel();
        // The channel answered; only this envelope's recipients are not reachable there yet.
        else if (mapped.code === 'RECIPIENT_UNREACHABLE') breaker.success();
        else breaker.failure(Date.now());
        throw mapped;
      }
    },
  };
}
