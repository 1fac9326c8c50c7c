import { describe, expect, it } from 'vitest';
import { memoryStore, type HeraldNode, type NodeEvent, type OutboxRecord, type Transport, type TransportHealth } from '@herald/core';
import { nodeMetrics } from '../src/node-metrics.js';

const MINUTE = 60_000;

function record(id: string, precedence: OutboxRecord['precedence'], ageMs: number, status: OutboxRecord['status']): OutboxRecord {
  const createdAt = Date.now() - ageMs;
  return { id, envelope: new Uint8Array(1), routingTags: ['aa'], recipients: ['FP'], acked: [], precedence, createdAt, expiresAt: createdAt + 86_400_000, status, acceptedBy: [], attempts: [], updatedAt: createdAt };
}

/** The value of one sample in Prometheus text, by its exact series (name and labels). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('node metrics', () => {
  it('count refusals, failovers and breaker openings from events, and read the outbox and channel health at each scrape', async () => {
    const listeners = new Set<(event: NodeEvent) => void>();
    const store = memoryStore();
    const outbox = [record('a1', 'FLASH', 2 * MINUTE, 'accepted'), record('a2', 'FLASH', 10_000, 'queued'), record('a3', 'ROUTINE', 5 * MINUTE, 'queued'), record('a4', 'ROUTINE', 60 * MINUTE, 'delivered')];
    for (const entry of outbox) await store.putOutbox(entry);
    const node = { subscribe: (listener: (event: NodeEvent) => void) => (listeners.add(listener), () => listeners.delete(listener)), outbox: async () => outbox } as unknown as HeraldNode;
    let relayHealth: TransportHealth = { state: 'up', since: Date.now() - 1000 };
    const channels = [
      { name: 'ws://relay.example:7700/', health: () => relayHealth },
      { name: 'ws://relay.example:7700/#retired-ABCDEFGHJK', health: () => ({ state: 'up', since: 0 }) },
      { name: 'dir:/mnt/usb', health: () => ({ state: 'up', since: 0 }) },
    ] as unknown as Transport[];
    const metrics = nodeMetrics({ node, store, channels });
    const emit = (event: NodeEvent): void => listeners.forEach((listener) => listener(event));

    emit({ type: 'rejected', code: 'DECRYPT_FAILED', channel: 'dir:/mnt/usb', message: 'x', id: 'ff'.repeat(16), sender: 'SECRET-FINGERPRINT' });
    emit({ type: 'rejected', code: 'DECRYPT_FAILED', channel: 'dir:/mnt/usb', message: 'x' });
    emit({ type: 'rejected', code: 'UNKNOWN_SENDER', channel: 'ws://relay.example:7700/#retired-ABCDEFGHJK', message: 'x' });
    emit({ type: 'status', id: 'a1', status: 'accepted', channel: 'dir:/mnt/usb', at: Date.now() });
    emit({ type: 'status', id: 'a2', status: 'accepted', channel: 'ws://relay.example:7700/', at: Date.now() });
    emit({ type: 'breaker', channel: 'ws://relay.example:7700/', state: 'open' });
    emit({ type: 'status', id: 'a4', status: 'delivered', at: outbox[3]!.createdAt + 90_000 });
    emit({ type: 'clock', source: 'relay ws://relay.example:7700/#retired-ABCDEFGHJK', offsetMs: -3_600_000, applied: true });
    emit({ type: 'clock', source: 'contact SECRET-FINGERPRINT', offsetMs: 7_200_000, applied: false, reason: "that contact's clock" });
    relayHealth = { state: 'up', since: Date.now() - 1000 };
    await new Promise((resolve) => setTimeout(resolve, 20));

    const text = await metrics.registry.metrics();
    expect(sample(text, 'herald_node_rejected_total{code="DECRYPT_FAILED",channel="dir:/mnt/usb"}')).toBe(2);
    // Watched codes start at 0 on every channel; a retired key's channel is labelled without its fragment.
    expect(sample(text, 'herald_node_rejected_total{code="REPLAY",channel="ws://relay.example:7700/"}')).toBe(0);
    expect(sample(text, 'herald_node_rejected_total{code="UNKNOWN_SENDER",channel="ws://relay.example:7700/"}')).toBe(1);
    expect(text).not.toContain('ABCDEFGHJK');
    expect(text).not.toContain('SECRET-FINGERPRINT');
    expect(text).not.toContain('ff'.repeat(16));
    // Accepted by the second channel in order of preference: a failover; by the first: none.
    expect(sample(text, 'herald_node_failovers_total{channel="dir:/mnt/usb"}')).toBe(1);
    // Clocks: this machine is an hour ahead of the relay (corrected), a contact two hours ahead of it (told only).
    expect(sample(text, 'herald_node_clock_offset_seconds{source="relay",channel="ws://relay.example:7700/",applied="1"}')).toBe(-3600);
    expect(sample(text, 'herald_node_clock_offset_seconds{source="contact",channel="",applied="0"}')).toBe(7200);
    expect(sample(text, 'herald_node_failovers_total{channel="ws://relay.example:7700/"}')).toBeUndefined();
    expect(sample(text, 'herald_node_breaker_opened_total{channel="ws://relay.example:7700/"}')).toBe(1);
    // Its breaker is open: down, though its health says up.
    expect(sample(text, 'herald_node_channel_up{channel="ws://relay.example:7700/"}')).toBe(0);
    expect(sample(text, 'herald_node_channel_up{channel="dir:/mnt/usb"}')).toBe(1);
    // Outbox: delivered records are not counted; FLASH's deadline is 30 s, ROUTINE's 30 min.
    expect(sample(text, 'herald_node_outbox_messages{precedence="FLASH"}')).toBe(2);
    expect(sample(text, 'herald_node_outbox_messages{precedence="ROUTINE"}')).toBe(1);
    expect(sample(text, 'herald_node_outbox_messages{precedence="IMMEDIATE"}')).toBe(0);
    expect(sample(text, 'herald_node_outbox_overdue_messages{precedence="FLASH"}')).toBe(1);
    expect(sample(text, 'herald_node_outbox_overdue_messages{precedence="ROUTINE"}')).toBe(0);
    expect(sample(text, 'herald_node_outbox_oldest_unacked_seconds{precedence="FLASH"}')).toBeGreaterThanOrEqual(120);
    expect(sample(text, 'herald_node_outbox_oldest_unacked_seconds{precedence="FLASH"}')).toBeLessThan(130);
    // Delivered 90 s after it entered the outbox: one observation in the ROUTINE histogram, in the 120 s bucket.
    expect(sample(text, 'herald_node_ack_latency_seconds_count{precedence="ROUTINE"}')).toBe(1);
    expect(sample(text, 'herald_node_ack_latency_seconds_bucket{le="60",precedence="ROUTINE"}')).toBe(0);
    expect(sample(text, 'herald_node_ack_latency_seconds_bucket{le="120",precedence="ROUTINE"}')).toBe(1);
    expect(sample(text, 'herald_node_messages_finished_total{status="delivered",precedence="ROUTINE"}')).toBe(1);
    metrics.stop();
    expect(listeners.size).toBe(0);
  });
});
