import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreUsage } from './store/relay-store.js';
import type { StorageHealth } from './store/storage-health.js';
import { relayVersion } from './version.js';

/** Why an authentication failed: a closed set, so a label never carries what a client sent. */
export const AUTH_FAILURE_REASONS = ['url', 'signature', 'mailbox-proof', 'not-admitted', 'not-allowed', 'identity-required', 'timeout'] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** Seconds, from a few milliseconds (cut-through push on loopback) to a day (a mailbox collected once a day). */
const LATENCY_BUCKETS = [0.005, 0.025, 0.1, 0.5, 2, 10, 60, 300, 1800, 7200, 86_400];

/**
 * Prometheus metrics (docs/operations.md). Aggregates only: no label ever
 * carries a routing tag, a key or an address, so /metrics leaks nothing a
 * relay operator's dashboard should not show. With --mqtt, the embedded
 * broker adds its herald_relay_mqtt_* metrics to this registry
 * (mqtt/broker-metrics.ts), so they are served on the same listener.
 */
export interface RelayMetrics {
  readonly registry: Registry;
  readonly connections: Gauge;
  readonly authenticated: Gauge;
  readonly envelopesIn: Counter;
  readonly envelopesOut: Counter;
  readonly envelopesAcked: Counter;
  readonly envelopesUnstored: Counter;
  readonly envelopesExpired: Counter;
  readonly bytesIn: Counter;
  readonly bytesOut: Counter;
  /** By stable code: error frame names and close names. */
  readonly rejections: Counter<'code'>;
  readonly authFailures: Counter<'reason'>;
  /** Cover frames (docs/relay-protocol.md 10.4): received, and of those echoed or dropped; the relay's own sent. */
  readonly coverFrames: Counter<'fate'>;
  /** From the deposit being accepted to its first push to a collector, and to its recipient's ACK. */
  readonly depositToPush: Histogram;
  readonly depositToAck: Histogram;
}

/** The relay's whole-store limits, exported so a dashboard and an alert can say how full it is. */
export interface StoreLimits {
  readonly maxStoredBytes: number;
  readonly maxStoredEnvelopes: number;
}

/** `revocationsIssued`: with admission by certificate, when the oldest revocation list held was issued. */
export function relayMetrics(counts: StoreUsage, storage: StorageHealth, limits: StoreLimits, revocationsIssued?: () => Date | undefined): RelayMetrics {
  const registry = new Registry();
  // process_resident_memory_bytes, heap, event loop lag, open fds: what tells an operator the relay is healthy.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({ name: 'herald_relay_mailbox_envelopes', help: 'Envelopes stored in all mailboxes', registers, collect() { this.set(counts.envelopes); } });
  new Gauge({ name: 'herald_relay_mailbox_bytes', help: 'Envelope bytes stored in all mailboxes', registers, collect() { this.set(counts.bytes); } });
  new Gauge({ name: 'herald_relay_storage_full', help: '1 while deposits are refused because the store\'s disk is full (a commit failed), else 0', registers, collect() { this.set(storage.failure?.full ? 1 : 0); } });
  new Gauge({ name: 'herald_relay_max_stored_bytes', help: 'maxStoredBytes: envelope bytes the relay holds at most', registers }).set(limits.maxStoredBytes);
  new Gauge({ name: 'herald_relay_max_stored_envelopes', help: 'maxStoredEnvelopes: envelopes the relay holds at most', registers }).set(limits.maxStoredEnvelopes);
  if (revocationsIssued) {
    new Gauge({ name: 'herald_relay_revocation_list_issued_timestamp_seconds', help: 'When the oldest revocation list the relay admits by was issued, Unix seconds; 0 without one', registers, collect() { this.set((revocationsIssued()?.getTime() ?? 0) / 1000); } });
  }
  new Gauge({ name: 'herald_relay_mailboxes', help: 'Mailboxes holding at least one envelope', registers, collect() { this.set(counts.mailboxes); } });
  new Gauge({ name: 'herald_relay_build_info', help: 'Always 1; the labels say which relay version runs on which Node.js', labelNames: ['version', 'nodejs'], registers }).set({ version: relayVersion(), nodejs: process.versions.node }, 1);
  const connections = new Gauge({ name: 'herald_relay_connections', help: 'Open WebSocket connections', registers });
  const authenticated = new Gauge({ name: 'herald_relay_authenticated_connections', help: 'Connections that completed authentication', registers });
  new Gauge({
    name: 'herald_relay_connections_by_state',
    help: 'Open WebSocket connections by state: authenticating (challenged, no AUTH yet) or authenticated',
    labelNames: ['state'],
    registers,
    async collect() {
      const [open, ready] = await Promise.all([connections.get(), authenticated.get()]);
      const total = open.values[0]?.value ?? 0;
      const done = ready.values[0]?.value ?? 0;
      this.set({ state: 'authenticated' }, done);
      this.set({ state: 'authenticating' }, Math.max(0, total - done));
    },
  });
  const authFailures = new Counter({ name: 'herald_relay_auth_failures_total', help: 'Connections refused at authentication, by reason: url, signature, mailbox-proof, not-admitted, not-allowed, identity-required, timeout', labelNames: ['reason'], registers });
  // Every reason from 0: a burst between two scrapes must show as an increase, not as a new series.
  for (const reason of AUTH_FAILURE_REASONS) authFailures.inc({ reason }, 0);
  return {
    registry,
    authFailures,
    connections,
    authenticated,
    envelopesIn: new Counter({ name: 'herald_relay_envelopes_in_total', help: 'Envelopes accepted (stored durably) from depositing clients', registers }),
    envelopesOut: new Counter({ name: 'herald_relay_envelopes_out_total', help: 'Envelopes pushed to collecting clients (a re-push after a reconnect counts again)', registers }),
    envelopesAcked: new Counter({ name: 'herald_relay_envelopes_acked_total', help: 'Envelopes acknowledged by their recipient and removed', registers }),
    envelopesUnstored: new Counter({ name: 'herald_relay_envelopes_delivered_unstored_total', help: 'Envelopes acknowledged by their recipient before their write had started, so never written to the store', registers }),
    envelopesExpired: new Counter({ name: 'herald_relay_envelopes_expired_total', help: 'Envelopes purged at expiry or at the retention limit', registers }),
    bytesIn: new Counter({ name: 'herald_relay_bytes_in_total', help: 'Envelope bytes accepted', registers }),
    bytesOut: new Counter({ name: 'herald_relay_bytes_out_total', help: 'Envelope bytes pushed', registers }),
    coverFrames: new Counter({ name: 'herald_relay_cover_frames_total', help: 'Cover frames, by fate: received from clients, and of those echoed (answered with a cover frame) or dropped (no echo: not asked, coverEcho off, before WELCOME, or over the connection\'s rate); sent: the relay\'s own, to clients that asked for them', labelNames: ['fate'], registers }),
    rejections: new Counter({ name: 'herald_relay_rejections_total', help: 'Refusals by stable code (error frames and closes)', labelNames: ['code'], registers }),
    depositToPush: new Histogram({ name: 'herald_relay_deposit_to_push_seconds', help: 'From a deposit being accepted to its first push to a collecting client (envelopes deposited since this start)', buckets: LATENCY_BUCKETS, registers }),
    depositToAck: new Histogram({ name: 'herald_relay_deposit_to_ack_seconds', help: 'From a deposit being accepted to its recipient\'s ACK (envelopes deposited since this start)', buckets: LATENCY_BUCKETS, registers }),
  };
}
