import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_COLORS, renderHtml, type DrillResult } from '@herald/drill';

const CHROMIUM = '/usr/bin/chromium';
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
    passed: true,
  };
}

function hex(color: string): [number, number, number] {
  return [1, 3, 5].map((at) => parseInt(color.slice(at, at + 2), 16)) as [number, number, number];
}

/** Pixels within a small distance of `color` (anti-aliasing shifts edges a little). */
function countColor(png: PNG, color: string): number {
  const [r, g, b] = hex(color);
  let count = 0;
  for (let at = 0; at < png.data.length; at += 4) {
    if (Math.abs(png.data[at]! - r) + Math.abs(png.data[at + 1]! - g) + Math.abs(png.data[at + 2]! - b) < 24) count++;
  }
  return count;
}

const missing = !existsSync(CHROMIUM);
if (missing && process.env['CI']) throw new Error(`the report test needs Debian's chromium at ${CHROMIUM} (bash .ci/run installs it)`);

describe.skipIf(missing)('HTML report in headless Chromium', () => {
  it('renders the timeline and the latency histograms in the channel colours', async () => {
    const html = join(workdir, 'report.html');
    await writeFile(html, renderHtml(sample()));
    const shot = join(workdir, 'shot.png');
    const result = spawnSync(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(workdir, 'profile')}`, '--hide-scrollbars', '--window-size=1000,1400', `--screenshot=${shot}`, `file://${html}`],
      { encoding: 'utf8', timeout: 90_000 },
    );
    expect(existsSync(shot), `chromium wrote no screenshot: ${result.stderr?.slice(-1000)}`).toBe(true);
    const png = PNG.sync.read(await readFile(shot));
    expect(png.width).toBe(1000);
    // Every channel's dots and bars are on screen, in numbers only a drawn chart gives.
    for (const channel of ['relay', 'mqtt', 'dir'] as const) expect(countColor(png, CHANNEL_COLORS[channel]!), channel).toBeGreaterThan(400);
    // The fault line and band are drawn too.
    expect(countColor(png, '#d62728')).toBeGreaterThan(100);
  }, 120_000);
});
