import { Counter, Gauge, type Registry } from 'prom-client';
import { PROOF_REFUSALS } from '@herald/protocol';
import { QUEUE_REFUSALS } from './quotas.js';

/** Why a login is refused: the identity proof's own reasons, then the broker's (a replayed nonce, the allow-lists, too many logins remembered). */
export const MQTT_LOGIN_REFUSALS = [...PROOF_REFUSALS, 'replayed', 'not-allowed', 'identity-required', 'busy'] as const;
export type MqttLoginRefusal = (typeof MQTT_LOGIN_REFUSALS)[number];

/** Why the packet guard ended a connection (packet-guard.ts): a declared length above the limit, or a length field MQTT does not allow. */
export const MQTT_GUARD_REFUSALS = ['oversized', 'malformed'] as const;
export type MqttGuardRefusal = (typeof MQTT_GUARD_REFUSALS)[number];

/** Why a QoS 1 publish got no PUBACK: a queue quota (quotas.ts), the store's disk below minFreeBytes, or another failed write. */
export const MQTT_PUBLISH_REFUSALS = [...QUEUE_REFUSALS, 'disk-full', 'store'] as const;
export type MqttPublishRefusal = (typeof MQTT_PUBLISH_REFUSALS)[number];

/** Copies queued and their payload bytes. */
export interface QueuedCopies {
  readonly messages: number;
  readonly bytes: number;
}

/** What the broker holds now, read at each scrape. */
export interface MqttBrokerUsage {
  /** TCP connections open, CONNACKed or not. */
  sockets(): number;
  /** Clients admitted (CONNACKed) and connected. */
  clients(): number;
  /** Persistent sessions (clients with subscriptions), connected or away. */
  sessions(): number;
  /** Copies queued for sessions whose client is away, and for connected ones (in flight). */
  queued(): { readonly offline: QueuedCopies; readonly online: QueuedCopies };
}

/** The limits the broker's fill is measured against (the relay's maxStoredEnvelopes, maxStoredBytes and mqttMaxSessions). */
export interface MqttBrokerLimits {
  readonly maxMessages: number;
  readonly maxBytes: number;
  readonly maxSessions: number;
}

export interface MqttBrokerMetrics {
  readonly loginsRefused: Counter<'reason'>;
  readonly packetsRefused: Counter<'reason'>;
  readonly publishesRefused: Counter<'reason'>;
  /** QoS 1 publishes acknowledged with nobody subscribed to their topic: stored for no one (plain MQTT: gone). */
  readonly publishesUnrouted: Counter;
  /** SUBSCRIBEs refused (SUBACK 0x80) because maxSessions or a session's topic cap was reached. */
  readonly subscriptionsRefusedFull: Counter;
}

/**
 * The embedded broker's metrics, registered in the relay's registry (served on its --metrics listener) when it
 * starts with --mqtt. Aggregates only, as the relay's own: no label carries a client id, a topic or a key.
 */
export function mqttBrokerMetrics(registry: Registry, usage: MqttBrokerUsage, limits: MqttBrokerLimits): MqttBrokerMetrics {
  const registers = [registry];
  new Gauge({
    name: 'herald_relay_mqtt_connections',
    help: 'Open MQTT connections by state: connecting (TCP open, not admitted yet) or connected (CONNACKed)',
    labelNames: ['state'],
    registers,
    collect() {
      this.set({ state: 'connected' }, usage.clients());
      this.set({ state: 'connecting' }, Math.max(0, usage.sockets() - usage.clients()));
    },
  });
  new Gauge({ name: 'herald_relay_mqtt_sessions', help: 'Persistent MQTT sessions (clients with subscriptions), connected or away', registers, collect() { this.set(usage.sessions()); } });
  new Gauge({ name: 'herald_relay_mqtt_max_sessions', help: 'mqttMaxSessions: persistent sessions the broker keeps at most', registers }).set(limits.maxSessions);
  const queuedGauge = (name: string, help: string, pick: (copies: QueuedCopies) => number): Gauge =>
    new Gauge({
      name,
      help,
      labelNames: ['session'],
      registers,
      collect() {
        const { offline, online } = usage.queued();
        this.set({ session: 'offline' }, pick(offline));
        this.set({ session: 'online' }, pick(online));
      },
    });
  queuedGauge('herald_relay_mqtt_queued_messages', 'Copies of QoS 1 publishes queued, by session: offline (client away) or online (in flight)', (copies) => copies.messages);
  queuedGauge('herald_relay_mqtt_queued_bytes', 'Payload bytes of the queued copies, by session: offline or online', (copies) => copies.bytes);
  new Gauge({ name: 'herald_relay_mqtt_max_queued_messages', help: 'maxStoredEnvelopes: copies the broker queues at most, over all sessions', registers }).set(limits.maxMessages);
  new Gauge({ name: 'herald_relay_mqtt_max_queued_bytes', help: 'maxStoredBytes: payload bytes the broker queues at most, over all sessions', registers }).set(limits.maxBytes);
  new Gauge({
    name: 'herald_relay_mqtt_fill_ratio',
    help: 'How full the broker is, 0 to 1: the highest of queued copies, queued bytes and sessions against their limits',
    registers,
    collect() {
      const { offline, online } = usage.queued();
      this.set(Math.max((offline.messages + online.messages) / limits.maxMessages, (offline.bytes + online.bytes) / limits.maxBytes, usage.sessions() / limits.maxSessions));
    },
  });
  const byReason = (name: string, help: string, reasons: readonly string[]): Counter<'reason'> => {
    const counter = new Counter({ name, help: `${help}, by reason: ${reasons.join(', ')}`, labelNames: ['reason'], registers });
    // Every reason from 0: a burst between two scrapes must show as an increase, not as a new series.
    for (const reason of reasons) counter.inc({ reason }, 0);
    return counter;
  };
  return {
    loginsRefused: byReason('herald_relay_mqtt_logins_refused_total', 'MQTT CONNECTs refused', MQTT_LOGIN_REFUSALS),
    packetsRefused: byReason('herald_relay_mqtt_packets_refused_total', 'MQTT connections ended by the packet guard', MQTT_GUARD_REFUSALS),
    publishesRefused: byReason('herald_relay_mqtt_publishes_refused_total', 'QoS 1 publishes refused without a PUBACK (the connection closed)', MQTT_PUBLISH_REFUSALS),
    publishesUnrouted: new Counter({ name: 'herald_relay_mqtt_publishes_unrouted_total', help: 'QoS 1 publishes acknowledged with no session subscribed to their topic, so queued for no one', registers }),
    subscriptionsRefusedFull: new Counter({ name: 'herald_relay_mqtt_subscriptions_refused_full_total', help: 'SUBSCRIBEs refused (SUBACK 0x80) because mqttMaxSessions, or a session\'s 80 topics, were reached', registers }),
  };
}
