import type { DrillResult } from '../result.js';
import { escapeHtml } from './colors.js';

/** One figure of the headline: a big number, what it counts, and whether it is what the drill needs. */
interface Figure {
  readonly value: string;
  readonly label: string;
  readonly ok: boolean;
}

const seconds = (ms: number): string => (ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms)} ms`);

/** What a team lead decides from, before any chart: delivered, lost, duplicated, and each failover against its target. */
export function headlineFigures(result: DrillResult): Figure[] {
  const once = result.exactlyOnce;
  const figures: Figure[] = [
    { value: `${once.delivered}/${once.expected}`, label: 'delivered exactly once', ok: once.delivered === once.expected },
    { value: String(once.lost), label: 'lost', ok: once.lost === 0 },
    { value: String(once.duplicates), label: 'duplicated', ok: once.duplicates === 0 },
  ];
  for (const row of result.failover) {
    const target = result.targets.find((each) => each.metric === 'failover' && each.fault === row.fault);
    const bound = target ? ` (target ≤ ${seconds(target.limit)})` : '';
    figures.push({ value: row.failoverMs === undefined ? 'none' : seconds(row.failoverMs), label: `failover after ${row.fault}${bound}`, ok: target ? target.ok : row.failoverMs !== undefined });
  }
  const missed = result.targets.filter((target) => !target.ok).length;
  if (result.targets.length > 0) figures.push({ value: `${result.targets.length - missed}/${result.targets.length}`, label: 'targets met', ok: missed === 0 });
  return figures;
}

export function headlineHtml(result: DrillResult): string {
  const cells = headlineFigures(result).map((figure) => `<div class="figure ${figure.ok ? 'ok' : 'bad'}"><b>${escapeHtml(figure.value)}</b><span>${escapeHtml(figure.label)}</span></div>`);
  return `<div id="headline">${cells.join('')}</div>`;
}
