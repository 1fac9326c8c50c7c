/**
 * pnpm bench:shape — what traffic shaping (docs/relay-protocol.md 10) costs: bytes on the wire and CPU per 1 000
 * envelopes sent sender → relay → receiver with padding off (the baseline, measured in the same run), padding on, and
 * padding with cover traffic at two rates; then what each costs an idle pair of connections per hour (pings, cover
 * frames and their echoes). Bytes are counted by the drill's TCP proxy in front of the relay (both directions, WebSocket
 * headers included, no TLS); CPU is the relay's process plus this one's (both transports), per round.
 *
 * Everything runs on 127.0.0.1; the relay is a child process. `--quick`: one short round (the smoke test's).
 */
import { randomFillSync } from 'node:crypto';
import { generateIdentity, seal } from '@herald/core';
import { median, quickMode } from './measure.js';
import { relayPath, type OpenPath, type TrafficShape } from './relay/paths.js';
import { runPipeline } from './relay/pipeline.js';
import { startRelayProcess } from './relay/processes.js';
import { roundCost } from './relay/spread.js';
import { startProxy } from '@herald/drill';

const quick = quickMode();
const rounds = quick ? 1 : 5;
const count = quick ? 200 : 1000;
const window = 64;
const idleMs = quick ? 2500 : 20_000;

const contenders: readonly { readonly label: string; readonly shape: TrafficShape }[] = [
  { label: 'padding off', shape: { padding: 'off' } },
  { label: 'padding on', shape: { padding: 'required' } },
  { label: 'padding + cover 60/min', shape: { padding: 'required', coverTraffic: { framesPerMinute: 60 } } },
  { label: 'padding + cover 600/min', shape: { padding: 'required', coverTraffic: { framesPerMinute: 600 } } },
];
const workloads: readonly { readonly label: string; readonly bodyBytes: number }[] = [
  { label: 'short text (100-byte body)', bodyBytes: 100 },
  { label: '1 KiB body', bodyBytes: 1024 },
];

interface Figures {
  readonly bytes: number[];
  readonly cpuMs: number[];
}

const alice = generateIdentity({ label: 'Alice' });
/** A recipient per contender: paths open together, and a receiver collects every envelope of its mailbox. */
const recipients = contenders.map(() => generateIdentity());
// The drill's TCP proxy counts the bytes both ways. It listens first: its URL is the relay's public URL (clients sign it).
const proxy = await startProxy(0);
const proxyUrl = `ws://127.0.0.1:${proxy.port}/`;
const relay = await startRelayProcess({ publicUrls: [proxyUrl] });
proxy.setUpstream(relay.port);
const counter = {
  get bytes(): number {
    const { up, down } = proxy.bytes();
    return up + down;
  },
};
const per1000 = (value: number): number => (value * 1000) / count;
const cell = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`bench:shape: ${count} envelopes a round, ${window} in flight, ${rounds} round(s) a contender, alternating; medians`);
try {
  for (const workload of workloads) {
    const paths: OpenPath[] = [];
    let envelopeBytes = 0;
    for (const [index, { shape }] of contenders.entries()) {
      const bob = recipients[index]!;
      const envelopes = Array.from({ length: count }, () => seal(randomFillSync(new Uint8Array(workload.bodyBytes)), { from: alice, to: bob.card }));
      envelopeBytes = envelopes[0]!.length;
      paths.push(await relayPath(proxyUrl, alice, bob, envelopes, proxyUrl, shape));
    }
    console.log(`\n${workload.label}: envelope ${envelopeBytes} bytes`);
    const figures: Figures[] = contenders.map(() => ({ bytes: [], cpuMs: [] }));
    // A warm-up round each, then measured rounds alternating, so drift on a busy machine hits every contender alike.
    for (let round = -1; round < rounds; round++) {
      for (const [index, open] of paths.entries()) {
        const bytesBefore = counter.bytes;
        const cost = roundCost(relay.pid);
        await runPipeline(open.path, count, window);
        const spent = cost();
        await relay.drained();
        if (round < 0) continue;
        figures[index]!.bytes.push(counter.bytes - bytesBefore);
        figures[index]!.cpuMs.push((spent.serverCpuSeconds + spent.benchCpuSeconds) * 1000);
      }
    }
    const baseBytes = median(figures[0]!.bytes);
    const baseCpu = median(figures[0]!.cpuMs);
    console.log(`  ${'contender'.padEnd(26)} ${'KiB/1 000'.padStart(10)} ${'ratio'.padStart(6)} ${'CPU ms/1 000'.padStart(13)} ${'ratio'.padStart(6)}`);
    for (const [index, { label }] of contenders.entries()) {
      const bytes = median(figures[index]!.bytes);
      const cpu = median(figures[index]!.cpuMs);
      console.log(`  ${label.padEnd(26)} ${cell(per1000(bytes) / 1024, 1).padStart(10)} ${cell(bytes / baseBytes, 2).padStart(6)} ${cell(per1000(cpu)).padStart(13)} ${cell(cpu / baseCpu, 2).padStart(6)}`);
    }
    for (const open of paths) await open.close();
  }
  // Idle: what one pair of connections costs with nothing to send (pings every 2 s both ways; cover frames, echoes).
  console.log(`\nidle pair of connections (sender and receiver), measured ${idleMs / 1000} s each, alone, per hour:`);
  let baseIdle = 0;
  for (const [index, { label, shape }] of contenders.entries()) {
    const open = await relayPath(proxyUrl, alice, recipients[0]!, [], proxyUrl, shape);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = counter.bytes;
    const cost = roundCost(relay.pid);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const spent = cost();
    const perHour = ((counter.bytes - before) * 3_600_000) / idleMs;
    const cpuPerHour = ((spent.serverCpuSeconds + spent.benchCpuSeconds) * 3_600_000) / idleMs;
    if (index === 0) baseIdle = perHour;
    const ratio = baseIdle > 0 ? cell(perHour / baseIdle, 2) : '—';
    console.log(`  ${label.padEnd(26)} ${cell(perHour / 1024).padStart(8)} KiB/h  ratio ${ratio.padStart(6)}  CPU ${cell(cpuPerHour, 1).padStart(6)} s/h`);
    await open.close();
  }
} finally {
  await relay.stop();
  await proxy.close();
}
