import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { MailboxCounts } from './counts.js';
import type { StorageHealth } from './storage-health.js';

/**
 * Prometheus metrics (docs/operations.md). Aggregates only: no label ever
 * carries a routing tag, a key or an address, so /metrics leaks nothing a
 * relay operator's dashboard should not show.
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
}

export function relayMetrics(counts: MailboxCounts, storage: StorageHealth): RelayMetrics {
  const registry = new Registry();
  // process_resident_memory_bytes, heap, event loop lag, open fds: what tells an operator the relay is healthy.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({ name: 'herald_relay_mailbox_envelopes', help: 'Envelopes stored in all mailboxes', registers, collect() { this.set(counts.envelopes); } });
  new Gauge({ name: 'herald_relay_mailbox_bytes', help: 'Envelope bytes stored in all mailboxes', registers, collect() { this.set(counts.bytes); } });
  new Gauge({ name: 'herald_relay_storage_full', help: '1 while deposits are refused because the store\'s disk is full (a commit failed), else 0', registers, collect() { this.set(storage.failure?.full ? 1 : 0); } });
  new Gauge({ name: 'herald_relay_mailboxes', help: 'Mailboxes holding at least one envelope', registers, collect() { this.set(counts.mailboxes); } });
  return {
    registry,
    connections: new Gauge({ name: 'herald_relay_connections', help: 'Open WebSocket connections', registers }),
    authenticated: new Gauge({ name: 'herald_relay_authenticated_connections', help: 'Connections that completed authentication', registers }),
    envelopesIn: new Counter({ name: 'herald_relay_envelopes_in_total', help: 'Envelopes accepted (stored durably) from depositing clients', registers }),
    envelopesOut: new Counter({ name: 'herald_relay_envelopes_out_total', help: 'Envelopes pushed to collecting clients (a re-push after a reconnect counts again)', registers }),
    envelopesAcked: new Counter({ name: 'herald_relay_envelopes_acked_total', help: 'Envelopes acknowledged by their recipient and removed', registers }),
    envelopesUnstored: new Counter({ name: 'herald_relay_envelopes_delivered_unstored_total', help: 'Envelopes acknowledged by their recipient before their write had started, so never written to the store', registers }),
    envelopesExpired: new Counter({ name: 'herald_relay_envelopes_expired_total', help: 'Envelopes purged at expiry or at the retention limit', registers }),
    bytesIn: new Counter({ name: 'herald_relay_bytes_in_total', help: 'Envelope bytes accepted', registers }),
    bytesOut: new Counter({ name: 'herald_relay_bytes_out_total', help: 'Envelope bytes pushed', registers }),
    rejections: new Counter({ name: 'herald_relay_rejections_total', help: 'Refusals by stable code (error frames and closes)', labelNames: ['code'], registers }),
  };
}
