import { mkdir } from 'node:fs/promises';
import { OptionsError, tracked, TransportError, unlessAborted, type Route, type SendReceipt, type Transport, type TransportCapabilities, type TransportStartOptions } from '@herald/core';
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
 * Lifecycle: created → started → stopped. A stopped transport stays stopped;
 * make a new one to start again. Folder problems never make `start` fail: the
 * channel reports 'down' and recovers by itself when the folder comes back.
 */
export function dirTransport(init: DirTransportInit): Transport {
  const options = resolveDirInit(init);
  const { name } = options;
  const capabilities: TransportCapabilities = Object.freeze({ maxEnvelopeBytes: options.maxEnvelopeBytes, requiresPeerOnline: false, storeAndForward: true, delivery: 'poll' });
  const health = healthTracker();
  let state: 'created' | 'started' | 'stopped' = 'created';
  let reader: SpoolReader | undefined;
  let stopping: Promise<void> | undefined;
  const sending = new Set<Promise<unknown>>();
  let detach: (() => void) | undefined;

  const aborted = (what: string): TransportError => new TransportError('ABORTED', name, `${what} aborted`);

  async function write(envelope: Uint8Array, route: Route, signal: AbortSignal | undefined): Promise<SendReceipt> {
    if (signal?.aborted) throw aborted('send');
    if (state !== 'started' || stopping) throw new TransportError('CHANNEL_STOPPED', name, state === 'created' ? 'send: not started' : 'send: stopped');
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

  async function stopNow(): Promise<void> {
    state = 'stopped';
    // Down at once, so a router stops choosing this channel while deliveries drain.
    health.stopped();
    detach?.();
    await reader?.stop();
    await Promise.allSettled(sending);
  }

  return {
    name,
    capabilities,
    async start(start: TransportStartOptions) {
      if (typeof start !== 'object' || start === null) throw new OptionsError('start: options are required ({ routingTags, deliver })');
      if (!Array.isArray(start.routingTags)) throw new OptionsError('start: routingTags: expected an array of hex routing tags');
      start.routingTags.forEach((tag, index) => {
        if (!isSpoolHex(tag)) throw new OptionsError(`start: routingTags[${index}]: expected lowercase hex, got ${JSON.stringify(tag)}`);
      });
      if (typeof start.deliver !== 'function') throw new OptionsError('start: deliver: expected a function');
      if (start.signal?.aborted) throw aborted('start');
      if (state === 'started') throw new TransportError('CHANNEL_REJECTED', name, 'start: already started', { retryable: false });
      if (state === 'stopped') throw new TransportError('CHANNEL_STOPPED', name, 'start: stopped; create a new transport to start again');
      state = 'started';
      if (options.createIfMissing) {
        // Only here, never on later polls: re-creating a vanished folder could put envelopes on the wrong disk.
        await mkdir(options.path, { recursive: true, mode: 0o700 }).catch((error: unknown) => health.error(new Error(`${name}: ${describeFsError(error, 'creating the folder')}`, { cause: error })));
      }
      if (stopping) return;
      // The start signal bounds the transport's running life (the node passes its own lifetime).
      const onAbort = (): void => void (stopping ??= stopNow()).catch(() => undefined);
      if (start.signal?.aborted) {
        onAbort();
        throw aborted('start');
      }
      start.signal?.addEventListener('abort', onAbort, { once: true });
      detach = () => start.signal?.removeEventListener('abort', onAbort);
      reader = spoolReader(options, health, new Set(start.routingTags), start.deliver);
      // The first poll runs before start resolves, so health() is accurate from then on.
      await reader.start();
    },
    async stop(stopOptions = {}) {
      stopping ??= stopNow();
      const { signal } = stopOptions;
      if (!signal) return stopping;
      if (signal.aborted) throw aborted('stop');
      // The signal only cuts the wait short; the transport is stopped regardless.
      await unlessAborted(stopping, signal, () => aborted('waiting for in-flight deliveries'));
    },
    send: (envelope, route, sendOptions = {}) => tracked(sending, write(envelope, route, sendOptions.signal)),
    health: () => health.current(),
    subscribe: (listener) => health.subscribe(listener),
  };
}
