import { TIMEOUT_CEILINGS, TransportError, type RoundTripTimer } from '@herald/core';
import type { BrokerConnection } from './connection.js';
import { aborted } from './errors.js';
import type { ResolvedMqttInit } from './init.js';
import { topicFor } from './topics.js';
import type { Ticket } from './window.js';

/**
 * Publishes one envelope at QoS 1 to the topic of each of its routing tags and
 * resolves once the broker has PUBACKed every one: that is the broker's word
 * that it queued the envelope for the tag's subscribers. Brokers keep envelopes
 * only for sessions that subscribed, so a recipient must have connected once; an
 * MQTT 5 broker says when nobody has (PUBACK 16), and the send fails retryably.
 * An MQTT 3.1.1 broker cannot say so. Bounded by sendTimeoutMs (or more, following the round trip) and the signal.
 */
export function sendEnvelope(connection: BrokerConnection, init: ResolvedMqttInit, envelope: Uint8Array, tags: readonly string[], signal: AbortSignal | undefined, rtt: RoundTripTimer): Promise<void> {
  const channel = init.name;
  // A view, not a copy: MQTT.js keeps it until the PUBACK and never writes to it.
  const payload = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const tickets: Ticket[] = [];
  const publishes = tags.map((tag) => {
    const ticket: Ticket = {};
    tickets.push(ticket);
    return connection.publish(topicFor(init.topicPrefix, tag), payload, ticket);
  });
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = (error: TransportError): void => {
      finish();
      // Still waiting for a slot in the broker's window: leave the queue. A publish already on the wire stays there.
      for (const ticket of tickets) ticket.cancel?.();
      reject(error);
    };
    const onAbort = (): void => giveUp(aborted(channel, 'send'));
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    // The configured timeout, or more when the measured round trip to the broker needs it.
    const limit = rtt.timeout(init.sendTimeoutMs, TIMEOUT_CEILINGS.sendMs);
    timer = setTimeout(() => {
      rtt.timedOut();
      giveUp(new TransportError('CHANNEL_TIMEOUT', channel, `send: no PUBACK from the broker within ${limit} ms`));
    }, limit);
    signal?.addEventListener('abort', onAbort, { once: true });
    Promise.all(publishes).then(
      () => {
        finish();
        resolve();
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}
