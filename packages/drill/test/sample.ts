// A drill result for the report tests.
import { DRILL_REPORT_SCHEMA_VERSION, type DrillResult } from '@herald/drill';

/** A drill result as a run produces it: three channels, a fault, latencies from milliseconds to seconds. */
export function sample(): DrillResult {
  const channels = ['relay', 'mqtt', 'dir'];
  const timeline = Array.from({ length: 240 }, (_, n) => ({ t: n * 60, channel: channels[n % 3]!, precedence: n % 5 === 0 ? 'FLASH' : 'ROUTINE', latencyMs: 5 + ((n * 37) % 400) + (n % 17 === 0 ? 2500 : 0) }));
  return {
    schemaVersion: DRILL_REPORT_SCHEMA_VERSION,
    scenario: { name: 'sample', description: 'a report rendered for the screenshot test' },
    startedAt: new Date(0).toISOString(),
    durationMs: 20_000,
    loadMs: 15_000,
    notes: [],
    channels,
    nodes: [{ name: 'ops', runs: 1, killed: 0 }, { name: 'field', runs: 2, killed: 1 }],
    counts: { commanded: 240, skipped: 0, enqueued: 240, sendFailed: 0, confirmedAtSender: 240 },
    exactlyOnce: { expected: 240, delivered: 240, lost: 0, duplicates: 0, redeliveredAfterCrash: 1, unconfirmed: 0, problems: [] },
    latency: [{ channel: 'all', precedence: 'all', count: 240, p50: 200, p95: 390, p99: 2600, max: 2900 }],
    failover: [{ fault: 'relay-cut', label: 'cut relay: blackhole', affects: ['relay'], failoverMs: 180, via: 'mqtt', atMs: 5000 }],
    retransmissions: { messages: 240, extraAcceptances: 12, failedAttempts: 3, resentMessages: 10, maxAttempts: 3 },
    bytes: { relay: { envelopeSent: 1000, envelopeReceived: 1000, wire: 2500 } },
    deliveriesByChannel: { relay: 80, mqtt: 80, dir: 80 },
    faults: [{ name: 'relay-cut', label: 'cut relay: blackhole', atMs: 5000, endMs: 9000, downs: [{ atMs: 5000, endMs: 9000 }] }],
    targets: [
      { name: 'failover ≤ 5 s', metric: 'failover', ok: true, measured: '180 ms (via mqtt)', value: 180, limit: 5000, unit: 'ms', fault: 'relay-cut' },
      { name: 'FLASH p99 ≤ 3 s', metric: 'latency', ok: true, measured: '2505 ms over 48 message(s)', value: 2505, limit: 3000, unit: 'ms', percentile: 99, precedence: 'FLASH' },
    ],
    timeline,
    errors: [],
    channelHealth: [{ node: 'ops', channel: 'relay', state: 'down', reason: 'heartbeat missed', atMs: 5100 }],
    slowest: [{ key: 'm-7', to: 'field', precedence: 'FLASH', size: 200, latencyMs: 2505, channel: 'relay', steps: ['enqueued +2 ms', 'accepted relay +1300 ms', 'handed out at field via relay +2505 ms'] }],
    failures: [],
    passed: true,
  };
}
