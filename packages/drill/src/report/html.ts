import type { DrillResult } from '../result.js';
import { histogramSvg, timelineSvg } from './charts.js';
import { colorOf, escapeHtml } from './colors.js';
import { headlineHtml } from './headline.js';

const ms = (value: number | undefined): string => (value === undefined ? '—' : `${Math.round(value)} ms`);

/** `missed`: rows drawn in red (a target the drill missed). */
function table(head: readonly string[], rows: readonly (readonly string[])[], missed: (index: number) => boolean = () => false): string {
  const body = rows.map((row, index) => `<tr${missed(index) ? ' class="missed"' : ''}>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A self-contained HTML report: inline CSS and inline SVG charts, nothing loaded from anywhere. */
export function renderHtml(result: DrillResult): string {
  const once = result.exactlyOnce;
  const channels = [...new Set(result.timeline.map((point) => point.channel))].sort();
  const legend = channels.map((channel) => `<span class="key"><i style="background:${colorOf(channel)}"></i>${escapeHtml(channel)}</span>`).join(' ');
  const verdict = result.passed ? '<span class="pass">PASSED</span>' : `<span class="fail">FAILED: ${escapeHtml(result.failures.join(', '))}</span>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Herald drill ${escapeHtml(result.scenario.name)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}
td:first-child,th:first-child{text-align:left}
.pass{color:#fff;background:#2a7;padding:2px 8px;border-radius:3px}.fail{color:#fff;background:#c33;padding:2px 8px;border-radius:3px}
.key{margin-right:12px}.key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
.charts{display:flex;flex-wrap:wrap;gap:8px}svg{background:#fff}
#headline{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}.figure{background:#fff;border:1px solid #ccc;border-radius:4px;padding:8px 14px;min-width:110px}
.figure b{display:block;font-size:26px}.figure span{color:#555}.figure.ok b{color:#2a7}.figure.bad{border-color:#c33}.figure.bad b{color:#c33}
tr.missed td{color:#c33;font-weight:bold}
</style></head><body>
<h1>Herald drill: ${escapeHtml(result.scenario.name)} ${verdict}</h1>
${headlineHtml(result)}
<p>${escapeHtml(result.scenario.description)}</p>
<p>Started ${escapeHtml(result.startedAt)}; load ${result.loadMs / 1000} s; channels ${escapeHtml(result.channels.join(', '))}.</p>
${result.notes.map((note) => `<p>Note: ${escapeHtml(note)}</p>`).join('\n')}
<h2>Exactly once</h2>
<p>${once.delivered} of ${once.expected} delivered to the receiving application; <b>${once.lost} lost</b>, <b>${once.duplicates} duplicated</b>; ${once.redeliveredAfterCrash} handed out again after a receiver crash before its ack (allowed); ${result.counts.confirmedAtSender} of ${result.counts.enqueued} confirmed at the sender.</p>
${once.problems.length ? `<ul>${once.problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join('')}</ul>` : ''}
<h2>Timeline</h2>
<p>${legend} <span class="key"><i style="background:#d62728"></i>fault</span> <span class="key">dashed: failover (vertical) and latency targets (horizontal)</span></p>
${timelineSvg(result)}
<h2>Latency histograms</h2>
<div class="charts">${channels.map((channel) => histogramSvg(result, channel)).join('\n')}</div>
<h2>Targets</h2>
${table(['target', 'result', 'measured'], result.targets.map((target) => [target.name, target.ok ? 'met' : 'MISSED', target.measured]), (index) => result.targets[index]?.ok === false)}
<h2>Faults and failover</h2>
${table(['fault', 'what', 'at', 'until'], result.faults.map((fault) => [fault.name, fault.label, `${(fault.atMs / 1000).toFixed(1)} s`, fault.endMs === undefined ? '—' : `${(fault.endMs / 1000).toFixed(1)} s`]))}
${table(['fault', 'channels taken away', 'failover', 'via'], result.failover.map((row) => [row.fault, row.affects.join(', '), ms(row.failoverMs), row.via ?? '—']))}
<h2>Latency (send → application)</h2>
${table(['channel', 'precedence', 'count', 'p50', 'p95', 'p99', 'max'], result.latency.map((row) => [row.channel, row.precedence, String(row.count), ms(row.p50), ms(row.p95), ms(row.p99), ms(row.max)]))}
<h2>Retransmissions and bytes</h2>
<p>${result.retransmissions.extraAcceptances} acceptances beyond the first over ${result.retransmissions.resentMessages} message(s); ${result.retransmissions.failedAttempts} failed attempts; at most ${result.retransmissions.maxAttempts} attempts for one message.</p>
${table(['channel', 'envelope bytes sent', 'envelope bytes received', 'bytes on the wire'], Object.entries(result.bytes).map(([channel, row]) => [channel, String(row.envelopeSent), String(row.envelopeReceived), String(row.wire)]))}
</body></html>
`;
}
