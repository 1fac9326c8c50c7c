import { TransportError, type Transport } from '@herald/core';

/**
 * A relay channel collects one mailbox: its identity's. The node hands every
 * channel all its routing tags (a spool folder collects them all), so a relay
 * channel is given only the one it can prove it owns.
 */
export function collectingOnly(transport: Transport, routingTag: string): Transport {
  return {
    name: transport.name,
    capabilities: transport.capabilities,
    start: (options) => transport.start({ ...options, routingTags: options.routingTags.filter((tag) => tag === routingTag) }),
    stop: (options) => transport.stop(options),
    send: (envelope, route, options) => transport.send(envelope, route, options),
    health: () => transport.health(),
    subscribe: (listener) => transport.subscribe(listener),
    // The node sizes send attempts and ack deadlines from the channel's measured round trip.
    ...(transport.roundTrip ? { roundTrip: () => transport.roundTrip?.() } : {}),
  };
}

/**
 * A channel that only collects: the mailbox of a retired key on a relay, kept
 * for the grace period. It reports room for no envelope, so the router and the
 * acks never pick it, and refuses a send outright should anything try.
 */
export function receiveOnly(transport: Transport): Transport {
  return {
    name: transport.name,
    capabilities: { ...transport.capabilities, maxEnvelopeBytes: 0 },
    start: (options) => transport.start(options),
    stop: (options) => transport.stop(options),
    send: async () => {
      throw new TransportError('CHANNEL_REJECTED', transport.name, 'this channel only collects mail for a retired key');
    },
    health: () => transport.health(),
    subscribe: (listener) => transport.subscribe(listener),
  };
}
