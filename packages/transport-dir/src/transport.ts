import { mkdir } from 'node:fs/promises';
import { transportLifecycle, TransportError, unlessAborted, type Route, type SendReceipt, type Transport, type TransportCapabilities } from '@herald/core';
import { describeFsError, mapFsError } from './errors.js';
import { healthTracker } from './health.js';
import { resolveDirInit, type DirTransportInit } from './init.js';
import { isSpoolHex, routeFileNames } from './names.js';
import { spoolReader, type SpoolReader } from './reader.js';
import { writeAtomically } from './write.js';

/**
 * A spool folder as a channel: a shared or synced folder, or removable media,
 * used as a dead drop. Senders write one file per recipient routing tag;
 * readers poll for files carrying their own tags, hand them to the node and
 * delete them only once the node has stored them. Nothing in between has to be
 * online, so the channel is store-and-forward by nature.
 *
 * Lifecycle: core's transportLifecycle (created → running → stopped for good).
 * Folder problems never make `start` fail: the
 * channel reports 'down' and recovers by itself when the folder comes back.
 */
export function dirTransport(init: DirTransportInit): Transport {
  const options = resolveDirInit(init);
  const { name } = options;
  const capabilities: TransportCapabilities = Object.freeze({ maxEnvelopeBytes: options.maxEnvelopeBytes, requiresPeerOnline: false, storeAndForward: true, delivery: 'poll' });
  const health = healthTracker();
  let reader: SpoolReader | undefined;

  const lifecycle = transportLifecycle({
    channel: name,
    isRoutingTag: isSpoolHex,
    async open(start, signal) {
      if (options.createIfMissing) {
        // Only here, never on later polls: re-creating a vanished folder could put envelopes on the wrong disk.
        await mkdir(options.path, { recursive: true, mode: 0o700 }).catch((error: unknown) => health.error(new Error(`${name}: ${describeFsError(error, 'creating the folder')}`, { cause: error })));
      }
      if (signal.aborted) return;
      reader = spoolReader(options, health, start.routingTags, start.deliver);
      // The first poll runs before start resolves, so health() is accurate from then on.
      await reader.start();
    },
    // Down at once, so a router stops choosing this channel while deliveries drain.
    stopped: () => health.stopped(),
    close: async () => reader?.stop(),
  });

  async function write(envelope: Uint8Array, route: Route, signal: AbortSignal | undefined): Promise<SendReceipt> {
    if (!(envelope instanceof Uint8Array)) throw new TransportError('CHANNEL_REJECTED', name, 'send: envelope must be a Uint8Array');
    if (envelope.length > options.maxEnvelopeBytes) {
      throw new TransportError('CHANNEL_TOO_SMALL', name, `send: envelope of ${envelope.length} bytes exceeds maxEnvelopeBytes (${options.maxEnvelopeBytes})`, { retryable: false });
    }
    const names = routeFileNames(route, name);
    try {
      await writeAtomically(options.path, names, envelope, signal);
    } catch (error) {
      if (signal?.aborted) throw new TransportError('ABORTED', name, 'send aborted', { cause: error });
      const mapped = mapFsError(error, name, 'writing the envelope');
      if (mapped.health) health.failed(mapped.health, mapped.error.message);
      throw mapped.error;
    }
    const acceptedAt = Date.now();
    health.moved(acceptedAt, true);
    return { channel: name, acceptedAt };
  }

  return {
    name,
    capabilities,
    start: (start) => lifecycle.start(start),
    stop: (stopOptions) => lifecycle.stop(stopOptions),
    send: (envelope, route, sendOptions = {}) => lifecycle.send(sendOptions.signal, () => write(envelope, route, sendOptions.signal)),
    // Resolves once dropped tags are drained (spoolReader.update); a stop ends the wait (the lifecycle then rejects).
    // With the folder away the drain happens once it is back: waiting for it would hold up the next update.
    updateRoutingTags: (routingTags, updateOptions) =>
      lifecycle.update(routingTags, updateOptions, async (tags) => {
        const drained = reader?.update(tags) ?? Promise.resolve();
        if (health.current().state === 'down') return;
        await unlessAborted(drained, lifecycle.signal, () => new TransportError('CHANNEL_STOPPED', name, 'updateRoutingTags: stopped while draining'));
      }),
    health: () => health.current(),
    subscribe: (listener) => health.subscribe(listener),
  };
}
