import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_COLORS, renderHtml, type DrillResult } from '@herald/drill';
import { CHROMIUM, chromiumMissing, countColor, fullestColumn, screenshot, tallestRun } from './chromium.js';

const workdir = await mkdtemp(join(tmpdir(), 'herald-drill-report-'));
afterAll(() => rm(workdir, { recursive: true, force: true }));

/** A drill result as a run produces it: three channels, a fault, latencies from milliseconds to seconds. */
function sample(): DrillResult {
  const channels = ['relay', 'mqtt', 'dir'];
  const timeline = Array.from({ length: 240 }, (_, n) => ({ t: n * 60, channel: channels[n % 3]!, precedence: n % 5 === 0 ? 'FLASH' : 'ROUTINE', latencyMs: 5 + ((n * 37) % 400) + (n % 17 === 0 ? 2500 : 0) }));
  return {
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
    targets: [{ name: 'failover ≤ 5 s', ok: true, measured: '180 ms' }],
    timeline,
    errors: [],
    failures: [],
    passed: true,
  };
}

if (chromiumMissing && process.env['CI']) throw new Error(`the report test needs Debian's chromium at ${CHROMIUM} (bash .ci/run installs it)`);

describe.skipIf(chromiumMissing)('HTML report in headless Chromium', () => {
  it('renders the timeline and the latency histograms in the channel colours', async () => {
    const html = join(workdir, 'report.html');
    await writeFile(html, renderHtml(sample()));
    const png = await screenshot(html, workdir);
    expect(png.width).toBe(1000);
    // Histograms: each channel has a solid bar far taller than a dot (the tallest bar is 150 px).
    const bars = Object.fromEntries((['relay', 'mqtt', 'dir'] as const).map((channel) => [channel, tallestRun(png, CHANNEL_COLORS[channel]!)]));
    for (const channel of ['relay', 'mqtt', 'dir'] as const) expect(bars[channel]!.length, `${channel} histogram bar`).toBeGreaterThan(100);
    // Timeline: above the histograms, each channel's 80 dots (a legend key is 144 px, 80 dots several thousand).
    const histogramsTop = Math.min(...Object.values(bars).map((bar) => bar.top)) - 40;
    for (const channel of ['relay', 'mqtt', 'dir'] as const) expect(countColor(png, CHANNEL_COLORS[channel]!, 0, histogramsTop), `${channel} timeline dots`).toBeGreaterThan(1000);
    // The fault is marked: a red line the height of the plot (260 px), not only the legend's red key.
    expect(fullestColumn(png, '#d62728')).toBeGreaterThan(200);
  }, 120_000);
});
