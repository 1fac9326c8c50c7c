import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_COLORS, renderHtml, type DrillResult } from '@herald/drill';
import { CHROMIUM, chromiumMissing, countColor, fullestColumn, screenshot, tallestRun } from './chromium.js';
import { sample } from './sample.js';

const workdir = await mkdtemp(join(tmpdir(), 'herald-drill-report-'));
afterAll(() => rm(workdir, { recursive: true, force: true }));

if (chromiumMissing && process.env['CI']) throw new Error(`the report test needs Debian's chromium at ${CHROMIUM} (bash .ci/run installs it)`);

async function written(name: string, html: string): Promise<string> {
  const path = join(workdir, name);
  await writeFile(path, html);
  return path;
}

/** The sample with a message lost and a target missed. */
function failedSample(): DrillResult {
  const base = sample();
  return {
    ...base,
    exactlyOnce: { ...base.exactlyOnce, delivered: 239, lost: 1 },
    targets: base.targets.map((target) => ({ ...target, ok: false })),
    failures: ['1 lost', '2 target(s) missed'],
    passed: false,
  };
}

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

  it('shows a failed drill in red where a team lead looks first: the headline figures and the missed targets', async () => {
    const passedPng = await screenshot(await written('passed.html', renderHtml(sample())), workdir);
    const failedPng = await screenshot(await written('failed.html', renderHtml(failedSample())), workdir);
    // The headline sits above the timeline: in the top 300 px a passed report has no red figure, a failed one several.
    expect(countColor(passedPng, '#cc3333', 0, 300)).toBeLessThan(50);
    expect(countColor(failedPng, '#cc3333', 0, 300)).toBeGreaterThan(300);
  }, 120_000);
});
