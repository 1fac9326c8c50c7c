/**
 * pnpm bench:mqtt — Herald's MQTT transport beside bare MQTT.js, both through
 * the same real Mosquitto process in the same run: 1 KiB envelopes sealed
 * before the clock starts, QoS 1 both ways, 64 in flight end to end (from the
 * send to the arrival at the receiving side). Herald's path adds what its
 * guarantees cost: a persistent session, a send resolved only on the PUBACK,
 * and the inbound PUBACK written only after `deliver` resolved. Rounds
 * alternate baseline and subject; medians are printed with the ratio.
 *
 * Needs Mosquitto installed (CI installs it; see .ci/run). Loopback only.
 */
import { randomFillSync } from 'node:crypto';
import { generateIdentity, seal, toHex } from '@herald/core';
import { topicFor } from '@herald/transport-mqtt';
import { startMosquitto } from '@herald/transport-mqtt/testing';
import { median, quickMode } from './measure.js';
import { bareMqttPath, heraldPath } from './mqtt/paths.js';
import type { OpenPath } from './relay/paths.js';
import { runPipeline, type PipelineResult } from './relay/pipeline.js';

const quick = quickMode();
const rounds = quick ? 1 : 3;
const count = quick ? 500 : 5000;
const window = 64;

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const n = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const summary = (results: readonly PipelineResult[]): PipelineResult => ({
  perSecond: median(results.map((result) => result.perSecond)),
  p50Ms: median(results.map((result) => result.p50Ms)),
  p99Ms: median(results.map((result) => result.p99Ms)),
});

console.log('Herald MQTT benchmark (loopback, a real Mosquitto process)');
console.log(`mode: ${quick ? 'quick (smoke run, figures are rough)' : `${rounds} rounds of ${count} envelopes each, medians`}; ${window} in flight; QoS 1`);

// Mosquitto's default window is 20 QoS 1 messages each way (max_inflight_messages, sent as MQTT 5 Receive Maximum):
// Herald's transport honours it, bare MQTT.js does not, so it is raised above the 64 in flight for both to run alike.
const broker = await startMosquitto({ extraConfig: ['max_inflight_messages 100'] });
try {
  // Sealed before any clock starts, exactly 1 KiB each (unpadded): this measures moving envelopes, not making them.
  const overhead = seal(new Uint8Array(0), { from: alice, to: bob.card, pad: false, contentType: 'application/octet-stream' }).length;
  const envelopes = Array.from({ length: count }, () => seal(randomFillSync(new Uint8Array(1024 - overhead)), { from: alice, to: bob.card, pad: false, contentType: 'application/octet-stream' }));
  const bare = await bareMqttPath(broker.url, topicFor('bench/bare/', toHex(bob.card.routingTag)), envelopes);
  const herald = await heraldPath(broker.url, alice, bob, envelopes);
  const paths: readonly OpenPath[] = [bare, herald];
  const baseline: PipelineResult[] = [];
  const subject: PipelineResult[] = [];
  try {
    // Warm-up: JIT, TCP windows, the broker's session structures.
    for (const opened of paths) await runPipeline(opened.path, Math.min(1000, count), window);
    for (let round = 0; round < rounds; round++) {
      baseline.push(await runPipeline(bare.path, count, window));
      subject.push(await runPipeline(herald.path, count, window));
    }
  } finally {
    for (const opened of paths) await opened.close();
  }
  const b = summary(baseline);
  const s = summary(subject);
  console.log('');
  console.log(`${envelopes[0]!.length}-byte envelopes              Herald transport      bare MQTT.js   ratio`);
  console.log(`  envelopes/s                     ${n(s.perSecond).padStart(16)}   ${n(b.perSecond).padStart(15)}   ${(s.perSecond / b.perSecond).toFixed(2)}`);
  console.log(`  p50 latency, ms                 ${n(s.p50Ms, 2).padStart(16)}   ${n(b.p50Ms, 2).padStart(15)}   ${(s.p50Ms / b.p50Ms).toFixed(2)}`);
  console.log(`  p99 latency, ms                 ${n(s.p99Ms, 2).padStart(16)}   ${n(b.p99Ms, 2).padStart(15)}   ${(s.p99Ms / b.p99Ms).toFixed(2)}`);
} finally {
  await broker.close();
}
