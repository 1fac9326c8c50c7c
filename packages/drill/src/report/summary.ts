import type { DrillResult } from '../result.js';

const ms = (value: number | undefined): string => (value === undefined ? '—' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const kib = (bytes: number): string => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`);

/** The terminal summary: verdict first, then the numbers that explain it. */
export function formatSummary(result: DrillResult): string {
  const once = result.exactlyOnce;
  const lines: string[] = [];
  lines.push(`drill ${result.scenario.name}: ${result.passed ? 'PASSED' : `FAILED (${result.failures.join(', ')})`}`);
  if (result.scenario.description) lines.push(`  ${result.scenario.description}`);
  for (const note of result.notes) lines.push(`  note: ${note}`);
  lines.push(`  channels: ${result.channels.join(', ')}; nodes: ${result.nodes.map((node) => `${node.name}${node.killed ? ` (killed ${node.killed}×)` : ''}`).join(', ')}`);
  lines.push(
    `  messages: ${result.counts.enqueued} enqueued${result.counts.skipped ? `, ${result.counts.skipped} not sent (sender down)` : ''}${result.counts.sendFailed ? `, ${result.counts.sendFailed} refused at send` : ''}; ${once.delivered}/${once.expected} delivered exactly once to the application, ${once.lost} lost, ${once.duplicates} duplicated` +
      `${once.redeliveredAfterCrash ? `, ${once.redeliveredAfterCrash} handed out again after a receiver crash before its ack (allowed)` : ''}; ${result.counts.confirmedAtSender} confirmed at the sender`,
  );
  for (const problem of once.problems.slice(0, 10)) lines.push(`    ${problem}`);
  const perChannel = Object.entries(result.deliveriesByChannel).map(([channel, count]) => `${channel} ${count}`);
  lines.push(`  delivered via: ${perChannel.join(', ') || 'nothing'}`);
  lines.push('  latency (send → application)      count     p50     p95     p99     max');
  for (const row of result.latency.filter((each) => each.precedence === 'all' || each.channel === 'all')) {
    const label = `${row.channel === 'all' ? 'all channels' : row.channel} / ${row.precedence === 'all' ? 'all' : row.precedence}`;
    lines.push(`    ${label.padEnd(32)} ${String(row.count).padStart(5)} ${ms(row.p50).padStart(7)} ${ms(row.p95).padStart(7)} ${ms(row.p99).padStart(7)} ${ms(row.max).padStart(7)}`);
  }
  for (const fault of result.faults) lines.push(`  fault at ${(fault.atMs / 1000).toFixed(1)} s: ${fault.name} — ${fault.label}${fault.endMs !== undefined ? ` (until ${(fault.endMs / 1000).toFixed(1)} s)` : ''}`);
  for (const row of result.failover) {
    const alone = result.channels.every((channel) => row.affects.includes(channel));
    lines.push(`  failover after ${row.fault}: ${row.failoverMs !== undefined ? `${ms(row.failoverMs)} (next delivery via ${row.via})` : alone ? 'no other channel to fail over to' : 'no delivery over another channel'}`);
  }
  const re = result.retransmissions;
  lines.push(`  retransmissions: ${re.resentMessages} of ${re.messages} message(s) accepted more than once (${re.extraAcceptances} extra acceptances: hedged resends and FLASH fan-out copies), ${re.failedAttempts} failed attempts, at most ${re.maxAttempts} attempts for one message`);
  lines.push(`  bytes: ${Object.entries(result.bytes).map(([channel, row]) => `${channel} ${kib(row.envelopeSent)} sent${row.wire ? ` (${kib(row.wire)} on the wire)` : ''}`).join(', ')}`);
  for (const error of result.errors.slice(0, 10)) lines.push(`  error: ${error}`);
  for (const seizure of result.seizures ?? []) {
    const split = (label: string, each: { total: number; opened: number }): string => `${label} ${each.opened}/${each.total}`;
    lines.push(`  seizure of ${seizure.node}: ${seizure.captured} captured envelope(s) tried, opened: ${[
      split('acknowledged before (prekey deleted)', seizure.acknowledgedDeleted),
      split('acknowledged before (medium-term prekey still held)', seizure.acknowledgedMediumTerm),
      split('in flight', seizure.inFlight),
      split('sealed v1', seizure.sealedV1),
      split('after, to seized prekeys', seizure.afterToSeized),
      split('after, to new prekeys', seizure.afterToNew),
    ].join(', ')}`);
    for (const violation of seizure.violations.slice(0, 10)) lines.push(`    BOUND BROKEN: ${violation}`);
  }
  const downs = new Map<string, number>();
  for (const change of result.channelHealth) if (change.state === 'down') downs.set(`${change.node}/${change.channel}`, (downs.get(`${change.node}/${change.channel}`) ?? 0) + 1);
  if (downs.size > 0) lines.push(`  channels seen down: ${[...downs].map(([where, count]) => `${where} ${count}×`).join(', ')}`);
  if (result.slowest.length > 0) lines.push('  slowest (sender steps after send()):');
  for (const slow of result.slowest.slice(0, 3)) lines.push(`    ${slow.precedence} ${slow.size} B → ${slow.to} ${ms(slow.latencyMs)}: ${slow.steps.join(', ')}`);
  for (const target of result.targets) lines.push(`  target ${target.ok ? 'met' : 'MISSED'}: ${target.name} — ${target.measured}`);
  return `${lines.join('\n')}\n`;
}
