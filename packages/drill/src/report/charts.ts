import type { DrillResult } from '../result.js';
import { colorOf, escapeHtml, FAULT_COLOR } from './colors.js';

const W = 900;
const H = 320;
const PAD = { left: 60, right: 20, top: 20, bottom: 40 };

/** Log scale from 1 ms to the largest latency, so a 5 ms relay hop and a 20 s courier run both show. */
function logScale(max: number, height: number): (value: number) => number {
  const top = Math.log10(Math.max(10, max));
  return (value) => PAD.top + height - (Math.log10(Math.max(1, value)) / top) * height;
}

/** Deliveries over time (x: when handed out; y: latency, log scale), coloured by channel; faults as shaded bands and red lines. */
export function timelineSvg(result: DrillResult): string {
  const width = W - PAD.left - PAD.right;
  const height = H - PAD.top - PAD.bottom;
  const end = Math.max(result.loadMs, ...result.timeline.map((point) => point.t), 1000);
  const x = (t: number): number => PAD.left + (Math.max(0, t) / end) * width;
  const latencyTargets = result.targets.filter((target) => target.metric === 'latency');
  const maxLatency = Math.max(10, ...result.timeline.map((point) => point.latencyMs), ...latencyTargets.map((target) => target.limit));
  const y = logScale(maxLatency, height);
  const parts: string[] = [];
  for (const fault of result.faults) {
    const spans = fault.downs.length > 0 ? fault.downs : [{ atMs: fault.atMs, endMs: fault.endMs ?? fault.atMs }];
    for (const span of spans) parts.push(`<rect x="${x(span.atMs)}" y="${PAD.top}" width="${Math.max(2, x(span.endMs ?? end) - x(span.atMs))}" height="${height}" fill="${FAULT_COLOR}" fill-opacity="0.12"/>`);
    parts.push(`<line x1="${x(fault.atMs)}" x2="${x(fault.atMs)}" y1="${PAD.top}" y2="${PAD.top + height}" stroke="${FAULT_COLOR}" stroke-width="2"/>`);
    parts.push(`<text x="${x(fault.atMs) + 4}" y="${PAD.top + 12}" font-size="11" fill="${FAULT_COLOR}">${escapeHtml(fault.name)}</text>`);
  }
  parts.push(...failoverLines(result, x, height), ...targetLines(latencyTargets, y, width));
  for (const point of result.timeline) parts.push(`<circle cx="${x(point.t).toFixed(1)}" cy="${y(point.latencyMs).toFixed(1)}" r="3.5" fill="${colorOf(point.channel)}"/>`);
  const ticks: string[] = [];
  for (let decade = 1; decade <= maxLatency * 10; decade *= 10) ticks.push(`<line x1="${PAD.left - 4}" x2="${PAD.left}" y1="${y(decade)}" y2="${y(decade)}" stroke="#333"/><text x="${PAD.left - 6}" y="${y(decade) + 4}" font-size="11" text-anchor="end">${decade >= 1000 ? `${decade / 1000} s` : `${decade} ms`}</text>`);
  const step = end > 60_000 ? 10_000 : end > 20_000 ? 5_000 : 2_000;
  for (let t = 0; t <= end; t += step) ticks.push(`<text x="${x(t)}" y="${H - PAD.bottom + 16}" font-size="11" text-anchor="middle">${t / 1000} s</text>`);
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect x="${PAD.left}" y="${PAD.top}" width="${width}" height="${height}" fill="#fff" stroke="#999"/>
${parts.join('\n')}
${ticks.join('\n')}
<text x="${PAD.left + width / 2}" y="${H - 6}" font-size="12" text-anchor="middle">time since start (delivery to the application)</text>
<text x="14" y="${PAD.top + height / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${PAD.top + height / 2})">latency</text>
</svg>`;
}

/** A dashed vertical line where each failover completed: the fault's time plus the failover time, in the new channel's colour. */
function failoverLines(result: DrillResult, x: (t: number) => number, height: number): string[] {
  return result.failover.flatMap((row) => {
    if (row.failoverMs === undefined) return [];
    const at = x(row.atMs + row.failoverMs);
    const color = colorOf(row.via ?? '');
    return [
      `<line class="failover" x1="${at}" x2="${at}" y1="${PAD.top}" y2="${PAD.top + height}" stroke="${color}" stroke-width="2" stroke-dasharray="6 4"/>`,
      `<text x="${at + 4}" y="${PAD.top + 26}" font-size="11" fill="#333">failover → ${escapeHtml(row.via ?? '?')}: ${Math.round(row.failoverMs)} ms</text>`,
    ];
  });
}

/** A dashed horizontal line at each latency target's bound (red when missed), labelled with what it bounds. */
function targetLines(targets: DrillResult['targets'], y: (value: number) => number, width: number): string[] {
  return targets.flatMap((target) => {
    const level = y(target.limit);
    const color = target.ok ? '#555' : FAULT_COLOR;
    const what = `${target.precedence ?? 'all'} p${target.percentile ?? 100} ≤ ${target.limit >= 1000 ? `${target.limit / 1000} s` : `${target.limit} ms`}${target.ok ? '' : ' (missed)'}`;
    return [
      `<line class="target" x1="${PAD.left}" x2="${PAD.left + width}" y1="${level}" y2="${level}" stroke="${color}" stroke-width="1.5" stroke-dasharray="8 4"/>`,
      `<text x="${PAD.left + width - 4}" y="${level - 4}" font-size="11" text-anchor="end" fill="${color}">${escapeHtml(what)}</text>`,
    ];
  });
}

const BUCKETS = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 60_000, Number.POSITIVE_INFINITY];
const bucketLabel = (limit: number): string => (limit === Number.POSITIVE_INFINITY ? '>60s' : limit >= 1000 ? `≤${limit / 1000}s` : `≤${limit}ms`);

/** One latency histogram per channel (logarithmic buckets), in the channel's colour. */
export function histogramSvg(result: DrillResult, channel: string): string {
  const w = 440;
  const h = 280;
  const counts = BUCKETS.map(() => 0);
  for (const point of result.timeline) if (point.channel === channel) counts[BUCKETS.findIndex((limit) => point.latencyMs <= limit)]!++;
  const most = Math.max(1, ...counts);
  const barWidth = (w - 60) / BUCKETS.length;
  const plotHeight = h - 110;
  const yTicks = [0, Math.round(most / 2), most].filter((value, index, all) => all.indexOf(value) === index);
  const bars = counts.map((count, index) => {
    const barHeight = (count / most) * plotHeight;
    const left = 50 + index * barWidth;
    return `<rect x="${left + 1}" y="${h - 80 - barHeight}" width="${barWidth - 2}" height="${barHeight}" fill="${colorOf(channel)}"/>` +
      // Slanted, so neighbouring bucket labels never run into each other.
      `<text x="${left + barWidth / 2 + 3}" y="${h - 68}" font-size="10" text-anchor="end" transform="rotate(-45 ${left + barWidth / 2 + 3} ${h - 68})">${bucketLabel(BUCKETS[index]!)}</text>` +
      (count > 0 ? `<text x="${left + barWidth / 2}" y="${h - 84 - barHeight}" font-size="10" text-anchor="middle">${count}</text>` : '');
  });
  const axis = yTicks.map((value) => {
    const level = h - 80 - (value / most) * plotHeight;
    return `<line x1="46" x2="50" y1="${level}" y2="${level}" stroke="#333"/><text x="44" y="${level + 4}" font-size="10" text-anchor="end">${value}</text>`;
  });
  return `<svg class="histogram" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<text x="${w / 2}" y="16" font-size="13" text-anchor="middle">${escapeHtml(channel)}: latency</text>
<line x1="50" x2="${w - 10}" y1="${h - 80}" y2="${h - 80}" stroke="#333"/><line x1="50" x2="50" y1="${h - 80 - plotHeight}" y2="${h - 80}" stroke="#333"/>
${axis.join('\n')}
${bars.join('\n')}
<text x="${50 + (w - 60) / 2}" y="${h - 12}" font-size="11" text-anchor="middle">latency, send → application (upper bound of each bucket)</text>
<text x="12" y="${h / 2 - 10}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${h / 2 - 10})">messages</text>
</svg>`;
}
