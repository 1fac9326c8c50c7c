import { toHex } from '@herald/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeExactlyOnce } from './analyze/exactly-once.js';
import { bytesPerChannel, failovers, firstDeliveries, latencyTable, retransmissions } from './analyze/metrics.js';
import { checkTargets } from './analyze/targets.js';
import { verdict } from './analyze/verdict.js';
import type { OutboxSummary } from './child/protocol.js';
import { healAll, runFaults } from './faults.js';
import { runLoad } from './load.js';
import { DrillNode } from './nodes.js';
import { Recorder } from './recorder.js';
import { slowestMessages } from './analyze/slowest.js';
import { DRILL_REPORT_SCHEMA_VERSION, MAX_REPORTED_HEALTH, type DrillResult } from './result.js';
import type { Scenario } from './scenario/types.js';
import { sleep } from './sleep.js';
import { buildTopology } from './topology/build.js';
import { adversary, type SeizureReport } from './seizure/adversary.js';
import { seizedDir } from './faults.js';

const MAX_TIMELINE_POINTS = 20_000;
/** After everything arrived: how long the drill keeps watching for late duplicates (at least five folder polls). */
const QUIET_MS = 2_000;

export interface RunOptions {
  /** Where services and nodes keep their data; default a fresh temp folder, removed afterwards. */
  readonly workdir?: string;
  /** Called about twice a second with a one-line status (the CLI shows it on a TTY). */
  readonly onProgress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Runs one drill end to end: topology, nodes, load and faults, heal, settle, judgement. */
export async function runDrill(scenario: Scenario, options: RunOptions = {}): Promise<DrillResult> {
  const workdir = options.workdir ?? (await mkdtemp(join(tmpdir(), `herald-drill-${scenario.name}-`)));
  const recorder = new Recorder();
  const built = await buildTopology(scenario, workdir);
  const nodes = new Map<string, DrillNode>();
  let progress: NodeJS.Timeout | undefined;
  try {
    for (const spec of scenario.nodes) nodes.set(spec.name, new DrillNode(spec.name, built.configs.get(spec.name)!, (node, run, event) => recorder.onEvent(node, run, event)));
    await Promise.all([...nodes.values()].map((node) => node.start()));
    const start = Date.now() + 200;
    const healing = new AbortController();
    options.signal?.addEventListener('abort', () => healing.abort(), { once: true });
    const active = (): string => recorder.faults.filter((fault) => fault.end === undefined).map((fault) => fault.name).join(', ');
    if (options.onProgress) {
      const report = options.onProgress;
      progress = setInterval(() => {
        const got = new Set(recorder.deliveries.map((each) => `${each.key}>${each.node}`)).size;
        const byChannel = new Map<string, number>();
        for (const each of recorder.deliveries) byChannel.set(each.channel, (byChannel.get(each.channel) ?? 0) + 1);
        const channels = [...byChannel].map(([channel, count]) => `${channel} ${count}`).join(' ');
        const faults = active();
        report(`${((Date.now() - start) / 1000).toFixed(1)}s/${scenario.load.durationMs / 1000}s  sent ${recorder.enqueued().length}  delivered ${got}  ${channels}${faults ? `  [${faults}]` : ''}`);
      }, 500);
    }
    const faulting = runFaults(scenario.faults, built, nodes, recorder, start, healing.signal);
    const load = await runLoad(scenario.load, nodes, recorder, start, healing.signal);
    await sleep(start + scenario.load.durationMs - Date.now(), options.signal);
    // Faults still in force at the end of the load are healed: the drill judges whether everything got through once links return.
    healing.abort();
    await faulting;
    // Interrupted (SIGINT, SIGTERM): judge what came so far and clean up, without restarting what was killed.
    const interrupted = options.signal?.aborted === true;
    const outboxes: OutboxSummary[] = [];
    if (!interrupted) {
      await healAll(built, nodes, recorder);
      await settle(recorder, nodes, scenario.settleMs, options.signal);
      // Copies still in flight when the last first hand-out came (FLASH fan-out, hedged resends, relay mailboxes,
      // unpolled dir: files) must get their chance to show up as duplicates before the verdict.
      await sleep(Math.max(QUIET_MS, 5 * scenario.policy.pollMs), options.signal);
      if (!options.signal?.aborted) for (const name of new Set(scenario.load.from)) outboxes.push(...((await nodes.get(name)!.outbox()) ?? []));
    }
    const end = Date.now();

    const judged = judgeExactlyOnce(recorder, nodes);
    const deliveries = firstDeliveries(recorder);
    const failover = failovers(recorder, deliveries);
    const resent = retransmissions(outboxes);
    const targets = checkTargets(scenario.targets, { recorder, deliveries, failover, nodes: scenario.nodes.map((node) => node.name), start, ...(outboxes.length > 0 ? { retransmissions: resent } : {}) });
    const enqueued = recorder.enqueued();
    const deliveriesByChannel: Record<string, number> = {};
    for (const delivery of deliveries) deliveriesByChannel[delivery.channel] = (deliveriesByChannel[delivery.channel] ?? 0) + 1;
    const refused = [...recorder.sent.values()].filter((message) => message.sendFailed !== undefined);
    const problems = [
      ...judged.lost.map((each) => `lost: ${each.key} → ${each.node}: ${each.problem}`),
      ...judged.duplicates.map((each) => `duplicate: ${each.key} at ${each.node}: ${each.problem}`),
      ...refused.map((message) => `refused at send: ${message.key} (${message.from}): ${message.sendFailed}`),
    ];
    const seizures: SeizureReport[] = [];
    for (const fault of recorder.faults) {
      if (!fault.seized || fault.end === undefined) continue;
      const tag = toHex(built.cards.get(fault.seized)!.routingTag);
      seizures.push(await adversary(fault.seized, { from: fault.at, to: fault.end }, seizedDir(built, fault.seized), tag, scenario.nodes.map((node) => built.nodeHome(node.name)), recorder));
    }
    const base = verdict(judged, refused.length, targets, options.signal?.aborted === true);
    const broken = seizures.reduce((sum, each) => sum + each.violations.length, 0);
    const judgement = broken > 0 ? { passed: false, reasons: [...base.reasons, `${broken} seizure bound(s) broken`] } : base;
    return {
      schemaVersion: DRILL_REPORT_SCHEMA_VERSION,
      scenario: { name: scenario.name, description: scenario.description },
      startedAt: new Date(start).toISOString(),
      durationMs: end - start,
      loadMs: scenario.load.durationMs,
      notes: built.notes,
      channels: built.channels,
      nodes: [...nodes.values()].map((node) => ({ name: node.name, runs: node.runs.length, killed: node.runs.filter((run) => run.killed).length })),
      counts: {
        commanded: load.commanded,
        skipped: load.skipped,
        enqueued: enqueued.length,
        sendFailed: refused.length,
        confirmedAtSender: enqueued.filter((message) => message.deliveredAt !== undefined).length,
      },
      exactlyOnce: { ...judged, lost: judged.lost.length, duplicates: judged.duplicates.length, problems: problems.slice(0, 50) },
      latency: latencyTable(deliveries),
      failover: failover.map(({ at, ...row }) => ({ ...row, atMs: at - start })),
      retransmissions: resent,
      bytes: bytesPerChannel(recorder, built),
      deliveriesByChannel,
      faults: recorder.faults.map((fault) => ({
        name: fault.name,
        label: fault.label,
        atMs: fault.at - start,
        ...(fault.end !== undefined ? { endMs: fault.end - start } : {}),
        downs: fault.downs.map((down) => ({ atMs: down.at - start, ...(down.end !== undefined ? { endMs: down.end - start } : {}) })),
      })),
      targets,
      timeline: deliveries.slice(0, MAX_TIMELINE_POINTS).map((delivery) => ({ t: delivery.at - start, channel: delivery.channel, precedence: delivery.precedence, latencyMs: delivery.latencyMs })),
      errors: recorder.errors,
      channelHealth: recorder.health.slice(0, MAX_REPORTED_HEALTH).map(({ at, ...change }) => ({ ...change, atMs: at - start })),
      slowest: slowestMessages(recorder, deliveries),
      ...(seizures.length > 0 ? { seizures } : {}),
      failures: judgement.reasons,
      passed: judgement.passed,
    };
  } finally {
    clearInterval(progress);
    await Promise.allSettled([...nodes.values()].map((node) => node.stop()));
    await built.close();
    if (!options.workdir) await rm(workdir, { recursive: true, force: true });
  }
}

/** Waits until every enqueued message reached each recipient's application and was acked there, and its sender saw it delivered. */
async function settle(recorder: Recorder, nodes: ReadonlyMap<string, DrillNode>, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    const got = new Set(recorder.deliveries.map((each) => `${each.key}>${each.node}`));
    const acked = new Set(recorder.acks.map((each) => `${each.key}>${each.node}`));
    const done = recorder.enqueued().every((message) => message.deliveredAt !== undefined && message.to.every((to) => got.has(`${message.key}>${to}`) && acked.has(`${message.key}>${to}`)));
    if (done) return;
    await sleep(200, signal);
  }
  void nodes;
}
