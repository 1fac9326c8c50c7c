import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DEFAULT_ACK_DEADLINE_MS, PRECEDENCES, type HeraldNode, type HeraldStore, type NodeEvent, type Precedence, type Transport } from '@herald/core';

/** What the node's metrics read: its events and outbox, its channels' health, and (optional) trust dates. */
export interface NodeMetricsInit {
  readonly node: HeraldNode;
  readonly store: HeraldStore;
  readonly channels: readonly Transport[];
  /** End-to-end ack deadlines by precedence (the node's policy). Default: core's DEFAULT_ACK_DEADLINE_MS. */
  readonly ackDeadlineMs?: Readonly<Record<Precedence, number>>;
  /** When this node's own certificate chain stops being valid (its earliest notAfter), if it has one. */
  readonly certificateExpires?: () => Date | undefined;
  /** When the oldest of the revocation lists this node holds was issued, if it holds any. */
  readonly revocationsIssued?: () => Date | undefined;
}

/**
 * Codes the alerts watch (deploy/prometheus/alerts.yml), counted from 0 on every channel: a flood between two scrapes
 * must show as an increase, not as a series that appears with its total.
 */
export const WATCHED_CODES = ['DECRYPT_FAILED', 'BAD_SIGNATURE', 'MALFORMED', 'REPLAY', 'EXPIRED', 'UNKNOWN_SENDER', 'REVOKED', 'BAD_CERTIFICATE'] as const;

/** Seconds, from a second (a relay round trip) to a day (a carried USB stick). */
const ACK_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 14_400, 86_400];

/**
 * A channel's name as a label: the URL without credentials (core names channels that way), minus any `#…` fragment,
 * which for a retired key's channel carries part of a fingerprint.
 */
export function channelLabel(name: string): string {
  const hash = name.indexOf('#');
  return hash === -1 ? name : name.slice(0, hash);
}

/**
 * The node's Prometheus metrics (docs/operations.md, "Monitoring and alerts"). Labels are code, channel, precedence, state, status and
 * nothing else: never a routing tag, a message id or a fingerprint (cardinality, and the contact graph stays private).
 * Returns the registry and a function that stops listening to the node.
 */
export function nodeMetrics(init: NodeMetricsInit): { readonly registry: Registry; stop(): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const deadlines = init.ackDeadlineMs ?? DEFAULT_ACK_DEADLINE_MS;
  const preferred = init.channels[0]?.name;

  const rejected = new Counter({ name: 'herald_node_rejected_total', help: 'Envelopes refused for good, by stable code and channel (tampered, replayed, unknown sender, …)', labelNames: ['code', 'channel'], registers });
  const failovers = new Counter({ name: 'herald_node_failovers_total', help: 'Messages accepted by a channel other than the first in order of preference, by that channel', labelNames: ['channel'], registers });
  const breakerOpened = new Counter({ name: 'herald_node_breaker_opened_total', help: 'Times a channel\'s circuit breaker opened', labelNames: ['channel'], registers });
  const ackLatency = new Histogram({ name: 'herald_node_ack_latency_seconds', help: 'From a message entering the outbox to its last end-to-end ack, by precedence', labelNames: ['precedence'], buckets: ACK_BUCKETS, registers });
  const outcomes = new Counter({ name: 'herald_node_messages_finished_total', help: 'Sent messages that reached a final status: delivered, expired or failed', labelNames: ['status', 'precedence'], registers });
  // Set from `clock` events: per relay channel (the node corrects by it unless it is more than 24 h off), and one
  // series for contacts (the latest found off; no fingerprint in a label, as for refusals).
  const clockOffset = new Gauge({ name: 'herald_node_clock_offset_seconds', help: "How far a relay's (or the latest contact's) clock is ahead of this machine's, negative when behind; told from 30 s off; applied=1 when the node corrects by it", labelNames: ['source', 'channel', 'applied'], registers });
  const breakers = new Map<string, string>();
  for (const channel of init.channels) for (const code of WATCHED_CODES) rejected.inc({ code, channel: channelLabel(channel.name) }, 0);

  new Gauge({
    name: 'herald_node_channel_up',
    help: 'Per channel: 1 while its health is up or degraded and its breaker is not open, else 0',
    labelNames: ['channel'],
    registers,
    collect() {
      // A retired key's channel shares its relay's label: the label is up only while every channel under it is.
      const up = new Map<string, number>();
      for (const channel of init.channels) {
        const label = channelLabel(channel.name);
        const value = channel.health().state !== 'down' && breakers.get(channel.name) !== 'open' ? 1 : 0;
        up.set(label, Math.min(up.get(label) ?? 1, value));
      }
      for (const [channel, value] of up) this.set({ channel }, value);
    },
  });
  new Gauge({
    name: 'herald_node_channel_state_seconds',
    help: 'Per channel: how long it has been in its current health state',
    labelNames: ['channel', 'state'],
    registers,
    collect() {
      this.reset();
      const now = Date.now();
      const seen = new Set<string>();
      for (const channel of init.channels) {
        // Under a shared label (a retired key's channel), the first channel in order of preference speaks.
        const label = channelLabel(channel.name);
        if (seen.has(label)) continue;
        seen.add(label);
        const health = channel.health();
        this.set({ channel: label, state: health.state }, Math.max(0, (now - health.since) / 1000));
      }
    },
  });
  outboxGauges(init, deadlines, registers);
  trustGauges(init, registers);

  const unsubscribe = init.node.subscribe((event: NodeEvent) => {
    if (event.type === 'clock') {
      const relay = event.source.startsWith('relay ');
      clockOffset.set({ source: relay ? 'relay' : 'contact', channel: relay ? channelLabel(event.source.slice('relay '.length)) : '', applied: event.applied ? '1' : '0' }, event.offsetMs / 1000);
    }
    else if (event.type === 'rejected') rejected.inc({ code: event.code, channel: channelLabel(event.channel) });
    else if (event.type === 'breaker') {
      breakers.set(event.channel, event.state);
      if (event.state === 'open') breakerOpened.inc({ channel: channelLabel(event.channel) });
    } else if (event.type === 'status') {
      if (event.status === 'accepted' && event.channel !== undefined && event.channel !== preferred) failovers.inc({ channel: channelLabel(event.channel) });
      if (event.status === 'delivered' || event.status === 'expired' || event.status === 'failed') {
        const at = event.at;
        const status = event.status;
        // The record holds the precedence and creation time; the event does not.
        void init.store.getOutbox(event.id).then(
          (record) => {
            if (!record) return;
            outcomes.inc({ status, precedence: record.precedence });
            if (status === 'delivered') ackLatency.observe({ precedence: record.precedence }, Math.max(0, (at - record.createdAt) / 1000));
          },
          () => undefined,
        );
      }
    }
  });
  return { registry, stop: unsubscribe };
}

interface OutboxCounts {
  depth: number;
  oldest: number;
  overdue: number;
}

function outboxGauges(init: NodeMetricsInit, deadlines: Readonly<Record<Precedence, number>>, registers: Registry[]): void {
  // One read of the outbox per scrape, shared by the gauges below (the registry collects them concurrently).
  let reading: Promise<Map<Precedence, OutboxCounts>> | undefined;
  const read = (): Promise<Map<Precedence, OutboxCounts>> =>
    (reading ??= countOutbox(init.node, deadlines).finally(() => setImmediate(() => (reading = undefined))));
  const gauge = (name: string, help: string, field: keyof OutboxCounts): void =>
    void new Gauge({
      name,
      help,
      labelNames: ['precedence'],
      registers,
      async collect() {
        // Unreadable (the store closing): the last values stay.
        const counts = await read().catch(() => undefined);
        for (const [precedence, entry] of counts ?? []) this.set({ precedence }, entry[field]);
      },
    });
  gauge('herald_node_outbox_messages', 'Messages in the outbox not yet acknowledged end to end (queued or accepted), by precedence', 'depth');
  gauge('herald_node_outbox_oldest_unacked_seconds', 'Age of the oldest message not yet acknowledged end to end, by precedence (0 when none)', 'oldest');
  gauge('herald_node_outbox_overdue_messages', 'Unacknowledged messages older than their precedence\'s end-to-end ack deadline', 'overdue');
  new Gauge({
    name: 'herald_node_ack_deadline_seconds',
    help: 'The end-to-end ack deadline by precedence (the node\'s policy)',
    labelNames: ['precedence'],
    registers,
    collect() {
      for (const precedence of PRECEDENCES) this.set({ precedence }, deadlines[precedence] / 1000);
    },
  });
}

async function countOutbox(node: HeraldNode, deadlines: Readonly<Record<Precedence, number>>): Promise<Map<Precedence, OutboxCounts>> {
  const now = Date.now();
  const counts = new Map<Precedence, OutboxCounts>(PRECEDENCES.map((precedence) => [precedence, { depth: 0, oldest: 0, overdue: 0 }]));
  for (const record of await node.outbox()) {
    if (record.status !== 'queued' && record.status !== 'accepted') continue;
    const entry = counts.get(record.precedence)!;
    const age = Math.max(0, (now - record.createdAt) / 1000);
    entry.depth++;
    entry.oldest = Math.max(entry.oldest, age);
    if (age * 1000 > deadlines[record.precedence]) entry.overdue++;
  }
  return counts;
}

function trustGauges(init: NodeMetricsInit, registers: Registry[]): void {
  const timestamp = (name: string, help: string, read: () => Date | undefined): void =>
    void new Gauge({
      name,
      help,
      registers,
      collect() {
        const when = read();
        this.set(when ? when.getTime() / 1000 : 0);
      },
    });
  if (init.certificateExpires) timestamp('herald_node_certificate_expiry_timestamp_seconds', 'When this node\'s certificate chain expires (its earliest notAfter), Unix seconds; 0 without a certificate', init.certificateExpires);
  if (init.revocationsIssued) timestamp('herald_node_revocation_list_issued_timestamp_seconds', 'When the oldest revocation list this node holds was issued, Unix seconds; 0 without one', init.revocationsIssued);
}
