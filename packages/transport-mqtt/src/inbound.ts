import type { IPublishPacket } from 'mqtt';
import { envelopeId, TransportError, type InboundEnvelope, type TransportStartOptions } from '@herald/core';
import { backoff, delay } from './backoff.js';
import type { BrokerConnection } from './connection.js';
import { tagOfTopic } from './topics.js';

export interface InboundInit {
  readonly channel: string;
  readonly topicPrefix: string;
  /** Whether an envelope under this tag goes to the node (the tags collected, and dropped ones still being drained). */
  readonly accepts: (tag: string) => boolean;
  readonly maxEnvelopeBytes: number;
  readonly maxPending: number;
  readonly deliver: TransportStartOptions['deliver'];
  readonly onMoved: (at: number) => void;
  /** An inbound message dropped without reaching the node, as a typed error (its code is stable, its text names no payload). */
  readonly onDropped: (error: TransportError) => void;
  /** Aborted on stop: no new retries start; deliveries under way finish. */
  readonly signal: AbortSignal;
}

/** Passed to MQTT.js's `done`: "no PUBACK now, the transport sends it later" (see puback.ts). */
const DEFERRED = new Error('herald: PUBACK deferred until the node has stored the envelope');

/**
 * Inbound envelopes on their way into the node. Each QoS 1 message is
 * acknowledged to the broker (PUBACK) only after `deliver` resolved; a refusal
 * is offered again after a growing delay while the connection lives. If the
 * connection goes first, the message stays unacknowledged in the broker's
 * session and comes back (DUP) after the reconnect; the node recognises any
 * copy it already stored. At most `maxPending` deliveries run at once: an MQTT 5
 * broker is told so (Receive Maximum); from a 3.1.1 broker the next message
 * simply waits, unread, until one finishes.
 */
export function inbound(init: InboundInit): { offer(connection: BrokerConnection, packet: IPublishPacket, done: (error?: Error) => void): void; drained(): Promise<void> } {
  let pending = 0;
  let held: (() => void) | undefined;
  let idle: (() => void) | undefined;
  /** Envelopes being delivered, so a redelivered copy waits for the first instead of reaching the node twice at once. */
  const inFlight = new Map<string, Promise<boolean>>();

  async function handle(connection: BrokerConnection, messageId: number, bytes: Uint8Array, receivedAt: number): Promise<boolean> {
    const delays = backoff(250, 30_000);
    for (;;) {
      // Stopped: the node gets nothing more from this transport; unacknowledged, the envelope waits at the source for the next run.
      if (init.signal.aborted) return false;
      try {
        await init.deliver({ bytes, channel: init.channel, receivedAt } satisfies InboundEnvelope);
        init.onMoved(Date.now());
        connection.ack(messageId);
        return true;
      } catch {
        // "Keep it and offer it again later": the broker still holds it, unacknowledged.
      }
      if (init.signal.aborted || !connection.isOpen) return false;
      await delay(delays.next(), init.signal);
      if (init.signal.aborted || !connection.isOpen) return false;
    }
  }

  function start(connection: BrokerConnection, packet: IPublishPacket): void {
    const messageId = packet.messageId ?? 0;
    const bytes = new Uint8Array(packet.payload as Buffer); // a copy: the parser's buffer is reused
    const receivedAt = Date.now();
    const key = keyOf(packet.topic, bytes);
    const earlier = key === undefined ? undefined : inFlight.get(key);
    const job = earlier ? earlier.then((stored) => (stored ? connection.ack(messageId) : false)) : handle(connection, messageId, bytes, receivedAt);
    if (key !== undefined && !earlier) inFlight.set(key, job);
    pending++;
    void job.finally(() => {
      if (key !== undefined && inFlight.get(key) === job) inFlight.delete(key);
      pending--;
      const next = held;
      held = undefined;
      next?.();
      if (pending === 0) idle?.();
    });
  }

  return {
    offer(connection, packet, done) {
      const tag = tagOfTopic(init.topicPrefix, packet.topic);
      const size = (packet.payload as Buffer).length;
      if (tag === undefined || !init.accepts(tag)) {
        // A subscription left in the persistent session from an earlier run (of another tag set): not ours to deliver, so acknowledged and dropped.
        init.onDropped(new TransportError('CHANNEL_REJECTED', init.channel, `an inbound message arrived on a topic this transport does not collect (${packet.topic}); acknowledged and dropped`, { retryable: false }));
        return done();
      }
      if (size > init.maxEnvelopeBytes) {
        // Held back it would come again on every reconnect; the sender's end-to-end ack deadline sends it over another channel.
        init.onDropped(new TransportError('CHANNEL_TOO_SMALL', init.channel, `an inbound message of ${size} bytes exceeds maxEnvelopeBytes (${init.maxEnvelopeBytes}); acknowledged and dropped`, { retryable: false }));
        return done();
      }
      if (packet.qos !== 1) {
        // Only if the broker downgraded our subscription: no acknowledgement exists to hold back.
        void init.deliver({ bytes: new Uint8Array(packet.payload as Buffer), channel: init.channel, receivedAt: Date.now() }).then(() => init.onMoved(Date.now()), () => undefined);
        return done();
      }
      const go = (): void => {
        start(connection, packet);
        done(DEFERRED);
      };
      // Full: MQTT.js reads nothing more until `done` is called, which is the backpressure a 3.1.1 broker gets.
      if (pending >= init.maxPending) held = go;
      else go();
    },
    drained() {
      if (pending === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const previous = idle;
        idle = () => {
          previous?.();
          idle = undefined;
          resolve();
        };
      });
    },
  };
}

function keyOf(topic: string, bytes: Uint8Array): string | undefined {
  try {
    return `${topic} ${envelopeId(bytes)}`;
  } catch {
    return undefined; // not an envelope: the node will refuse it, no need to tell copies apart
  }
}
