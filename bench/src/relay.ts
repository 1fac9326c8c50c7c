/**
 * pnpm bench:relay — the relay beside bare baselines measured in the same run:
 *
 * 1. sender→relay→receiver, 1 KiB envelopes sealed before the clock starts,
 *    64 in flight end to end (a slot frees when the envelope arrived AND its
 *    ACCEPTED came back), durable LMDB mailbox, WebSocket transport on both
 *    sides; beside a bare `ws` forwarder process (no storage, no crypto, no
 *    acks). Goal: throughput ≥ 0.5×, p99 ≤ 2×. The relay with its defaults
 *    (ACCEPTED once the envelope is fsynced, or once its recipient acknowledged
 *    it — write-behind) and the same relay writing every envelope before its
 *    ACCEPTED (writeBehindMs 0), both printed with the share never written.
 * 2. The whole path with sealing and opening (one sending process) beside the
 *    bare libsodium work of a seal and an open.
 * 3. Server memory per idle connection at 5 000 connections (authenticated,
 *    each collecting its mailbox) beside the bare forwarder. Goal ≤ 2×.
 *
 * Beside the medians it prints their spread over the rounds, the relay's ratio to the bare forwarder taken round by
 * round, and each round's cost: server CPU per 1 000 envelopes and the cores other processes kept busy meanwhile
 * (relay/spread.ts), so a run says whether a figure moved because the code did or because the machine was busy.
 *
 * Everything runs on 127.0.0.1; every server is a child process.
 */
import { execSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { generateIdentity, seal } from '@herald/core';
import { median, quickMode, rate } from './measure.js';
import { memoryPerConnection } from './relay/idle.js';
import { forwarderPath, relayPath, wholePath, type OpenPath } from './relay/paths.js';
import { runPipeline, type PipelineFigures, type PipelineResult, summarize } from './relay/pipeline.js';
import { startForwarderProcess, startRelayProcess } from './relay/processes.js';
import { pairedRatios, roundCost, spread, withSpread, type RoundCost } from './relay/spread.js';
import { backendLine, bareSodiumRoundTrip } from './sodium-work.js';

const quick = quickMode();
/** HERALD_BENCH_ROUNDS=1 prints every measured round, to see the spread behind the medians. */
const logRounds = process.env.HERALD_BENCH_ROUNDS === '1';
/**
 * HERALD_BENCH_COMPARE_RELAY=PATH/bin.js adds that build of the relay (say, the last release's) as one more contender,
 * its rounds alternating with this one's: on a busy machine, two runs differ more than two versions do, and only rounds
 * measured side by side tell a change of the code from a change of the load.
 */
const compareBin = process.env.HERALD_BENCH_COMPARE_RELAY;
const rounds = quick ? 1 : 9;
const warmRounds = quick ? 1 : 5;
const count = quick ? 500 : 4000;
const window = 64;
const idleWanted = quick ? 300 : 5000;

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const body = randomFillSync(new Uint8Array(1024));


function fileLimit(): number {
  try {
    const text = execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim();
    return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
  } catch {
    return 1024;
  }
}

/** A path under test, opened once; `drained` waits until its server holds nothing from the last round. */
interface Contender {
  readonly label: string;
  /** The server process, whose CPU time each round reports. */
  readonly pid: number | undefined;
  open(): Promise<OpenPath>;
  drained(): Promise<void>;
}

/** One contender's measured rounds, and what each cost. */
interface Measured {
  readonly results: PipelineResult[];
  readonly costs: RoundCost[];
}

/** Opens every path, warms each up, then alternates their rounds so drift on a busy machine hits all alike. */
async function measureAlternating(contenders: readonly Contender[]): Promise<Measured[]> {
  const opened: OpenPath[] = [];
  const measured = contenders.map((): Measured => ({ results: [], costs: [] }));
  try {
    for (const contender of contenders) opened.push(await contender.open());
    // Warm-up, rounds of the same size, alternating like the measured ones: JIT (the servers' and this process's hot
    // paths take tens of thousands of envelopes to reach their steady speed: after one round of 4 000 the next ran at
    // half the speed of the fifth), LMDB pages, TCP windows.
    for (let round = 0; round < warmRounds; round++) {
      for (const [position, path] of opened.entries()) {
        await runPipeline(path.path, count, window);
        await contenders[position]!.drained();
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (const [position, path] of opened.entries()) {
        const cost = roundCost(contenders[position]!.pid);
        const result = await runPipeline(path.path, count, window);
        const spent = cost();
        measured[position]!.results.push(result);
        measured[position]!.costs.push(spent);
        if (logRounds) console.log(`  round ${round + 1}, ${contenders[position]!.label}: ${n(result.perSecond)} envelopes/s, p50 ${n(result.p50Ms, 2)} ms, p99 ${n(result.p99Ms, 2)} ms, server CPU ${n(spent.serverCpuSeconds * 1000)} ms, other load ${n(spent.otherCores, 2)} cores`);
        await contenders[position]!.drained();
      }
    }
  } finally {
    for (const path of opened) await path.close();
  }
  return measured;
}

async function measure(open: () => Promise<OpenPath>, drained: () => Promise<void>): Promise<PipelineResult[]> {
  const opened = await open();
  const results: PipelineResult[] = [];
  try {
    await runPipeline(opened.path, Math.min(1000, count), window);
    for (let round = 0; round < rounds; round++) {
      await drained();
      results.push(await runPipeline(opened.path, count, window));
    }
  } finally {
    await opened.close();
  }
  return results;
}

/**
 * The run-to-run spread behind the medians: each contender's throughput over the rounds, the relay's ratio to the
 * bare forwarder taken round by round (both met the same load), and what each round cost — server CPU per 1 000
 * envelopes, and the cores other processes on the machine kept busy meanwhile, which is what moves the figure most.
 */
function printSpread(contenders: readonly Contender[], measured: readonly Measured[]): void {
  const base = measured[2]!;
  console.log('');
  console.log(`spread over the ${rounds} measured rounds (median, then the rounds' range)`);
  for (const [position, one] of measured.entries()) {
    const throughput = spread(one.results.map((result) => result.perSecond));
    const perThousand = (seconds: readonly number[]): string => n(median(seconds) * 1000 * (1000 / count), 0);
    console.log(
      `  ${contenders[position]!.label.padEnd(48)} ${n(throughput.median)} envelopes/s (${n(throughput.min)}–${n(throughput.max)}); CPU per 1 000: server ${perThousand(one.costs.map((cost) => cost.serverCpuSeconds))} ms, sender+receiver ${perThousand(one.costs.map((cost) => cost.benchCpuSeconds))} ms; other load ${withSpread(spread(one.costs.map((cost) => cost.otherCores)))} cores`,
    );
  }
  // The relay rows (default, writing every envelope, unpadded) and the compared build, each against the forwarder.
  for (const position of [0, 1, 4, 5]) {
    const one = measured[position];
    if (!one) continue;
    const p99 = pairedRatios(one.results.map((result) => ({ perSecond: result.p99Ms })), base.results.map((result) => ({ perSecond: result.p99Ms })));
    console.log(`  ${contenders[position]!.label} ÷ bare forwarder, round by round: throughput ${withSpread(spread(pairedRatios(one.results, base.results)))}, p99 ${withSpread(spread(p99))}`);
  }
  const compared = measured[5];
  if (compared) console.log(`  this relay ÷ HERALD_BENCH_COMPARE_RELAY, round by round: throughput ${withSpread(spread(pairedRatios(measured[0]!.results, compared.results)))}`);
}

const n = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log('Herald relay benchmark (loopback, relay and baseline as child processes)');
console.log(`mode: ${quick ? 'quick (smoke run, figures are rough)' : `${rounds} rounds of ${count} envelopes each after ${warmRounds} warm-up rounds; throughput the median round, latency percentiles over all rounds`}; ${window} in flight`);
console.log(backendLine);

const relay = await startRelayProcess();
// The same relay with write-behind off: every envelope is written and fsynced before its ACCEPTED, whether or not
// its recipient is connected — the cost of the durable mailbox itself, printed beside the default.
const writing = await startRelayProcess({ writeBehindMs: 0 });
// Unpadded frames through a relay of their own: on one relay the two rows' receivers would both collect Bob's
// mailbox, and every envelope would be pushed to both (which halved the relay's figure when they shared one).
const unpaddedRelay = await startRelayProcess();
const forwarder = await startForwarderProcess();
const receiptForwarder = await startForwarderProcess();
const other = compareBin ? await startRelayProcess({}, compareBin) : undefined;
try {
  // Sealed before any clock starts: this part measures moving envelopes, not making them.
  // Exactly 1 KiB each (unpadded, so the size is what it says).
  const overhead = seal(new Uint8Array(0), { from: alice, to: bob.card, pad: false, contentType: 'application/octet-stream' }).length;
  const envelopes = Array.from({ length: count }, () => seal(randomFillSync(new Uint8Array(1024 - overhead)), { from: alice, to: bob.card, pad: false, contentType: 'application/octet-stream' }));
  const contenders: readonly Contender[] = [
    { label: 'relay (durable mailbox, default settings)', pid: relay.pid, open: () => relayPath(relay.url, alice, bob, envelopes), drained: () => relay.drained() },
    { label: 'relay writing every envelope (writeBehindMs 0)', pid: writing.pid, open: () => relayPath(writing.url, alice, bob, envelopes), drained: () => writing.drained() },
    { label: 'bare ws forwarder (no storage, no acks)', pid: forwarder.pid, open: () => forwarderPath(forwarder.url, envelopes), drained: async () => undefined },
    { label: 'bare ws forwarder passing receipts back', pid: receiptForwarder.pid, open: () => forwarderPath(receiptForwarder.url, envelopes, true), drained: async () => undefined },
    // The forwarder moves the envelopes' own bytes; Herald pads each frame to a size bucket by default (traffic shape,
    // relay-protocol.md section 10), 1 280 bytes here. The goal compares the same bytes; padding's cost is printed
    // beside it here and measured on its own by bench:shape.
    { label: 'relay, frames unpadded (padding off)', pid: unpaddedRelay.pid, open: () => relayPath(unpaddedRelay.url, alice, bob, envelopes, unpaddedRelay.url, { padding: 'off' }), drained: () => unpaddedRelay.drained() },
    ...(other ? [{ label: 'HERALD_BENCH_COMPARE_RELAY (default settings)', pid: other.pid, open: () => relayPath(other.url, alice, bob, envelopes), drained: () => other.drained() }] : []),
  ];
  const measured = await measureAlternating(contenders);
  const [byDefault, written, forwarded, receipted, unpadded, compared] = measured.map((one) => summarize(one.results)) as [PipelineFigures, PipelineFigures, PipelineFigures, PipelineFigures, PipelineFigures, PipelineFigures | undefined];
  const row = (label: string, of: PipelineFigures, goals = false): void => {
    const ratio = (value: number, base: number): string => (value / base).toFixed(2);
    console.log(`  ${label.padEnd(44)} ${n(of.perSecond).padStart(8)} ${ratio(of.perSecond, forwarded.perSecond).padStart(6)}${goals ? ' (goal ≥ 0.50)' : '              '}   ${n(of.p50Ms, 2).padStart(6)} ${n(of.p99Ms, 2).padStart(7)} ${ratio(of.p99Ms, forwarded.p99Ms).padStart(6)}${goals ? ' (goal ≤ 2.00)' : ''}`);
  };
  console.log('');
  console.log(`${envelopes[0]!.length}-byte envelopes, ${window} in flight            envelopes/s  ratio                   p50 ms  p99 ms  ratio`);
  row('relay, frames unpadded (padding off)', unpadded, true);
  row('relay (durable mailbox, default settings)', byDefault);
  row('relay writing every envelope (writeBehindMs 0)', written);
  row('bare ws forwarder (no storage, no acks)', forwarded);
  row('bare ws forwarder passing receipts back', receipted);
  if (compared) row('HERALD_BENCH_COMPARE_RELAY (default settings)', compared);
  printSpread(contenders, measured);
  // Said, so the figures are read for what they are: an entry its connected recipient acknowledges while its write
  // is held back (writeBehindMs, default 20 ms) or still queued for the group commit is never written — the
  // recipient's node holds it durably (docs/relay-protocol.md 3.8). The receiver here acknowledges at once.
  for (const [label, server] of [['default', relay], ['writeBehindMs 0', writing]] as const) {
    const deposited = await server.metric('herald_relay_envelopes_in_total');
    const unstored = await server.metric('herald_relay_envelopes_delivered_unstored_total');
    console.log(`  relay (${label}): of ${n(deposited)} envelopes deposited (warm-up included), ${n(unstored)} (${((100 * unstored) / deposited).toFixed(0)} %) were acknowledged by the receiver before being written, so never written`);
  }

  const whole = summarize(await measure(() => wholePath(relay.url, alice, bob, body), () => relay.drained()));
  const sodiumRates: number[] = [];
  for (let round = 0; round < rounds; round++) sodiumRates.push(await rate(() => bareSodiumRoundTrip(body, alice, bob), quick ? 100 : 600));
  const bare = median(sodiumRates);
  console.log('');
  console.log('whole path, one sending process: seal + relay + open and verify, 1 KiB');
  console.log(`  messages/s ${n(whole.perSecond)} (p50 ${n(whole.p50Ms, 2)} ms, p99 ${n(whole.p99Ms, 2)} ms) beside bare libsodium seal+open work ${n(bare)}/s: ratio ${(whole.perSecond / bare).toFixed(2)}`);

  const limit = fileLimit();
  // The bench process holds one descriptor per client and the server one per connection; leave room for everything else.
  const idle = Math.max(100, Math.min(idleWanted, Math.floor((limit - 200) / 1)));
  // Fresh server processes for this: ones that just moved tens of thousands of envelopes can shrink their heaps
  // while the connections open, which made a quick run measure less than nothing.
  const idleRelay = await startRelayProcess();
  const idleForwarder = await startForwarderProcess();
  let relayPer: number;
  let barePer: number;
  try {
    relayPer = await memoryPerConnection(idleRelay, idle, true);
    barePer = await memoryPerConnection(idleForwarder, idle, false);
  } finally {
    await idleRelay.stop();
    await idleForwarder.stop();
  }
  let comparedPer: number | undefined;
  if (compareBin) {
    const idleCompared = await startRelayProcess({}, compareBin);
    try {
      comparedPer = await memoryPerConnection(idleCompared, idle, true);
    } finally {
      await idleCompared.stop();
    }
  }
  console.log('');
  console.log(`server memory per idle connection at ${n(idle)} connections${idle < idleWanted ? ` (ulimit -n ${limit} allows no more)` : ''}`);
  console.log(`  relay (authenticated, collecting) ${n(relayPer / 1024, 1)} KiB   bare ws ${n(barePer / 1024, 1)} KiB   ratio ${(relayPer / barePer).toFixed(2)}  (goal ≤ 2.00)`);
  if (comparedPer !== undefined) console.log(`  HERALD_BENCH_COMPARE_RELAY ${n(comparedPer / 1024, 1)} KiB   this relay ÷ it ${(relayPer / comparedPer).toFixed(2)}`);
} finally {
  await relay.stop();
  await writing.stop();
  await unpaddedRelay.stop();
  await forwarder.stop();
  await receiptForwarder.stop();
  await other?.stop();
}
