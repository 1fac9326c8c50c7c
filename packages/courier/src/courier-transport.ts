import { OptionsError, tracked, transportLifecycle, TransportError, type InboundEnvelope, type Transport } from '@herald/core';
import { dirTransport } from '@herald/transport-dir';

export interface CourierTransportInit {
  /** The courier spool: what the node sends over this channel waits here for `herald bundle export`. */
  readonly path: string;
  /** Default `bundle:<path>`. */
  readonly name?: string;
  /** Inbound deliveries awaiting the node at once during `take`. Default 16. */
  readonly maxDeliveriesInFlight?: number;
}

export interface TakeOutcome {
  readonly delivered: number;
  /** Envelopes the node could not store now (its inbox full, its store failing): they were not taken in. */
  readonly failed: number;
}

/**
 * The `bundle:` channel. Outbound, it is a spool folder (a dir: channel) whose
 * contents `herald bundle export` packs for a courier; acks the node sends for
 * messages that arrived by bundle wait there too. Inbound, `take` hands the
 * envelopes of an imported bundle (or typed groups) to the node through its
 * ordinary inbound path, exactly as if they had arrived on a network.
 */
export interface CourierTransport extends Transport {
  take(envelopes: readonly Uint8Array[], options?: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<TakeOutcome>;
  /** Resolves once the sends the node started meanwhile (acks, queued messages) are written to the spool. */
  settled(options?: { signal?: AbortSignal }): Promise<void>;
}

export function courierTransport(init: CourierTransportInit): CourierTransport {
  if (typeof init !== 'object' || init === null || typeof init.path !== 'string' || init.path === '') throw new OptionsError('courierTransport: path: expected the spool folder');
  for (const key of Object.keys(init)) if (!['path', 'name', 'maxDeliveriesInFlight'].includes(key)) throw new OptionsError(`courierTransport: unknown option "${key}"`);
  const concurrency = init.maxDeliveriesInFlight ?? 16;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new OptionsError(`courierTransport: maxDeliveriesInFlight: expected 1 to 256, got ${String(concurrency)}`);
  const name = init.name ?? `bundle:${init.path}`;
  const spool = dirTransport({ path: init.path, name, createIfMissing: true, pollIntervalMs: 60_000 });
  let deliver: ((envelope: InboundEnvelope) => Promise<void>) | undefined;
  const sends = new Set<Promise<unknown>>();
  let started = 0;
  let spoolStopped: Promise<void> | undefined;
  // The spool is started without the start signal: this lifecycle watches it and stops the spool with everything else.
  const lifecycle = transportLifecycle({
    channel: name,
    async open(start, signal) {
      await spool.start({ routingTags: start.routingTags, deliver: start.deliver });
      if (!signal.aborted) deliver = start.deliver;
    },
    stopped() {
      deliver = undefined;
      spoolStopped = spool.stop().catch(() => undefined);
    },
    close: async () => spoolStopped,
  });

  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  return {
    name,
    capabilities: spool.capabilities,
    start: (options) => lifecycle.start(options),
    stop: (options) => lifecycle.stop(options),
    // The spool reads the tags; the node's epoch boundaries go to it (a transport of the kit cannot be restarted).
    updateRoutingTags: async (routingTags, options) => spool.updateRoutingTags?.(routingTags, options),
    send(envelope, route, options) {
      started++;
      return tracked(sends, lifecycle.send(options?.signal, () => spool.send(envelope, route, options)));
    },
    health: () => spool.health(),
    subscribe: (listener) => spool.subscribe(listener),
    async take(envelopes, options = {}) {
      const handOver = deliver;
      if (!handOver) throw new TransportError('CHANNEL_STOPPED', name, lifecycle.state === 'stopped' ? 'take: stopped' : 'take: not started');
      let next = 0;
      let delivered = 0;
      let failed = 0;
      const worker = async (): Promise<void> => {
        while (next < envelopes.length) {
          options.signal?.throwIfAborted();
          const bytes = envelopes[next++];
          if (!bytes) continue;
          try {
            await handOver({ bytes, channel: name, receivedAt: Date.now() });
            delivered++;
          } catch {
            failed++;
          }
          options.onProgress?.(delivered + failed, envelopes.length);
        }
      };
      // Several at once, so the store's group commit shares one fsync among them.
      await Promise.all(Array.from({ length: Math.min(concurrency, envelopes.length) }, worker));
      return { delivered, failed };
    },
    async settled(options = {}) {
      // The node queues acks for the next turn and then seals and sends them; wait until a quiet round passes.
      for (let rounds = 0; rounds < 1000; rounds++) {
        options.signal?.throwIfAborted();
        const before = started;
        await tick();
        await tick();
        await Promise.allSettled([...sends]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (sends.size === 0 && started === before) return;
      }
    },
  };
}
