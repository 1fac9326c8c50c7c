import { TransportError, type InboundEnvelope, type Transport, type TransportStartOptions } from '@herald/core';

/**
 * Test-only shared mailbox system: envelopes for a routing tag nobody listens to
 * wait (a relay holding mail for an offline node); every envelope sent is kept
 * in `log` so tests can open and inspect it.
 */
export function medium() {
  const listeners = new Map<string, (envelope: InboundEnvelope) => Promise<void>>();
  const parked: { tag: string; bytes: Uint8Array }[] = [];
  const log: Uint8Array[] = [];
  const deliver = (tag: string, bytes: Uint8Array): void => {
    const listener = listeners.get(tag);
    if (!listener) return void parked.push({ tag, bytes });
    setImmediate(() => void listener({ bytes, channel: 'mem', receivedAt: Date.now() }).catch(() => parked.push({ tag, bytes })));
  };
  return {
    log,
    channel(): Transport {
      let tags: readonly string[] = [];
      let running = false;
      return {
        name: 'mem',
        capabilities: { maxEnvelopeBytes: 1 << 20, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' },
        async start(options: TransportStartOptions) {
          running = true;
          tags = options.routingTags;
          for (const tag of tags) listeners.set(tag, options.deliver);
          for (const item of parked.splice(0).filter((entry) => (tags.includes(entry.tag) ? true : (parked.push(entry), false)))) deliver(item.tag, item.bytes);
        },
        async stop() {
          running = false;
          for (const tag of tags) listeners.delete(tag);
        },
        async send(bytes, route) {
          if (!running) throw new TransportError('CHANNEL_STOPPED', 'mem', 'stopped');
          log.push(bytes);
          for (const tag of route.routingTags) deliver(tag, bytes);
          return { channel: 'mem', acceptedAt: Date.now() };
        },
        health: () => ({ state: 'up', since: 0 }),
        subscribe: () => () => undefined,
      };
    },
  };
}
