import type { Transport } from '@herald/core';

/** Wraps a transport to count envelope bytes it accepted outbound and delivered inbound, per channel name. */
export function counted(transport: Transport, bytes: { sent: Record<string, number>; received: Record<string, number> }): Transport {
  const name = transport.name;
  const add = (table: Record<string, number>, count: number): void => void (table[name] = (table[name] ?? 0) + count);
  // A courier channel's own members (take, settled) stay reachable; they need no counting of their own.
  const extra = transport as unknown as Record<string, unknown>;
  const own = Object.fromEntries(['take', 'settled'].filter((key) => typeof extra[key] === 'function').map((key) => [key, (extra[key] as (...args: unknown[]) => unknown).bind(transport)]));
  const wrapped: Transport = {
    name,
    capabilities: transport.capabilities,
    start: (options) =>
      transport.start({
        ...options,
        deliver: async (inbound) => {
          await options.deliver(inbound);
          add(bytes.received, inbound.bytes.length);
        },
      }),
    async send(envelope, route, options) {
      const receipt = await transport.send(envelope, route, options);
      add(bytes.sent, envelope.length);
      return receipt;
    },
    stop: (options) => transport.stop(options),
    health: () => transport.health(),
    subscribe: (listener) => transport.subscribe(listener),
    // The node sizes send attempts and ack deadlines from it: a wrapper that hid it would make the drill measure a node blind to the round trip.
    ...(transport.roundTrip ? { roundTrip: () => transport.roundTrip?.() } : {}),
  };
  return Object.assign(wrapped, own);
}
