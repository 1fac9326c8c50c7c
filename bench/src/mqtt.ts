/**
 * pnpm bench:mqtt — issue 5's figure: Herald envelopes per second over MQTT,
 * each beside a baseline doing the same work with bare libraries, through the
 * same real Mosquitto process in the same run. 1 KiB envelopes sealed before
 * the clock starts (a fresh set each round), QoS 1 both ways, 64 in flight end
 * to end. Rounds alternate the four paths; the figures (see summarize) are
 * printed with the ratios. Two comparisons, each with its goal of 0.7:
 *
 *  1. Herald's node: the transport's send resolved only on the broker's
 *     PUBACK, persistent sessions, and each envelope received and stored by the
 *     recipient's node (opened, verified, written to its LMDB store, end-to-end
 *     ack queued) before the inbound PUBACK; it counts as arrived when the
 *     node's `deliver` resolved. Beside bare MQTT.js QoS 1 doing the same
 *     cryptographic and storage work per envelope with bare calls
 *     (mqtt/work-baseline.ts): libsodium open and verify, a durable LMDB put
 *     before the PUBACK, the batched end-to-end ack sealed and published.
 *  2. Herald's transport alone (deliver resolves at once) beside bare MQTT.js
 *     QoS 1 publish→subscribe of the same bytes, which moves them and nothing else.
 *
 * Needs Mosquitto installed (CI installs it; see .ci/run). Loopback only.
 */
import { randomFillSync } from 'node:crypto';
import { generateIdentity, seal, sodiumBackend, toHex } from '@herald/core';
import { topicFor } from '@herald/transport-mqtt';
import { startMosquitto } from '@herald/transport-mqtt/testing';
import { quickMode } from './measure.js';
import { bareMqttPath, heraldPath, transportOnlyPath } from './mqtt/paths.js';
import { bareWorkPath } from './mqtt/work-baseline.js';
import type { OpenPath } from './relay/paths.js';
import { runPipeline, type PathUnderTest, type PipelineFigures, type PipelineResult, summarize } from './relay/pipeline.js';

const quick = quickMode();
const rounds = quick ? 1 : 5;
const count = quick ? 500 : 5000;
const window = 64;

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
// Client ids derive from identities: the transport-only path needs its own pair, or its sessions would take over the node path's.
const [alice2, bob2] = [generateIdentity({ label: 'Alice 2' }), generateIdentity({ label: 'Bob 2' })];
const n = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The path over envelopes `by` … `by + count - 1`, numbered from 0 as runPipeline counts them. */
function shifted(path: PathUnderTest, by: number): PathUnderTest {
  return { send: (index) => path.send(by + index), onArrival: (callback) => path.onArrival((index) => callback(index - by)) };
}

console.log('Herald MQTT benchmark (loopback, a real Mosquitto process)');
console.log(`mode: ${quick ? 'quick (smoke run, figures are rough)' : `${rounds} rounds of ${count} envelopes each; throughput the median round, latency percentiles over all rounds`}; ${window} in flight; QoS 1`);
console.log(`core's libsodium: ${sodiumBackend() === 'native' ? 'native (sodium-native)' : 'WASM (libsodium.js)'}; HERALD_SODIUM=native|wasm chooses`);

// Mosquitto's default window is 20 QoS 1 messages each way (max_inflight_messages, sent as MQTT 5 Receive Maximum):
// Herald's transport honours it, bare MQTT.js does not, so it is raised above the 64 in flight for both to run alike.
const broker = await startMosquitto({ extraConfig: ['max_inflight_messages 100'] });
try {
  // Sealed before any clock starts, exactly 1 KiB each (unpadded): this measures moving envelopes, not making them.
  // A fresh set for the warm-up and for each round: the node would take a repeat as a duplicate and store nothing.
  const overhead = seal(new Uint8Array(0), { from: alice, to: bob.card, pad: false, contentType: 'application/octet-stream' }).length;
  const envelopes = Array.from({ length: count * (rounds + 1) }, () => seal(randomFillSync(new Uint8Array(1024 - overhead)), { from: alice, to: bob.card, pad: false, contentType: 'application/octet-stream' }));
  const bare = await bareMqttPath(broker.url, topicFor('bench/bare/', toHex(bob.card.routingTag)), envelopes);
  const herald = await heraldPath(broker.url, alice, bob, envelopes);
  const transportOnly = await transportOnlyPath(broker.url, alice2, bob2, envelopes);
  const work = await bareWorkPath(broker.url, topicFor('bench/work/', toHex(bob.card.routingTag)), topicFor('bench/work/', toHex(alice.card.routingTag)), alice, bob, envelopes);
  const paths: readonly OpenPath[] = [bare, herald, transportOnly, work];
  const baseline: PipelineResult[] = [];
  const subject: PipelineResult[] = [];
  const transportAlone: PipelineResult[] = [];
  const workBaseline: PipelineResult[] = [];
  try {
    // Warm-up: JIT, TCP windows, the broker's session structures.
    for (const opened of paths) await runPipeline(opened.path, Math.min(1000, count), window);
    for (let round = 1; round <= rounds; round++) {
      baseline.push(await runPipeline(shifted(bare.path, round * count), count, window));
      subject.push(await runPipeline(shifted(herald.path, round * count), count, window));
      transportAlone.push(await runPipeline(shifted(transportOnly.path, round * count), count, window));
      workBaseline.push(await runPipeline(shifted(work.path, round * count), count, window));
    }
  } finally {
    for (const opened of paths) await opened.close();
  }
  const b = summarize(baseline);
  const s = summarize(subject);
  const t = summarize(transportAlone);
  const w = summarize(workBaseline);
  const rows = (of: PipelineFigures, against: PipelineFigures): void => {
    console.log(`  envelopes/s                     ${n(of.perSecond).padStart(16)}   ${n(against.perSecond).padStart(19)}   ${(of.perSecond / against.perSecond).toFixed(2)}`);
    console.log(`  p50 latency, ms                 ${n(of.p50Ms, 2).padStart(16)}   ${n(against.p50Ms, 2).padStart(19)}   ${(of.p50Ms / against.p50Ms).toFixed(2)}`);
    console.log(`  p99 latency, ms                 ${n(of.p99Ms, 2).padStart(16)}   ${n(against.p99Ms, 2).padStart(19)}   ${(of.p99Ms / against.p99Ms).toFixed(2)}`);
  };
  const size = envelopes[0]!.length;
  console.log('');
  console.log("1. Stored by the recipient's node (opened, verified, in its LMDB inbox) before the inbound PUBACK,");
  console.log('   beside bare MQTT.js QoS 1 plus the same work per envelope with bare calls (libsodium open + verify,');
  console.log('   fsynced LMDB put before the PUBACK, batched end-to-end ack sealed and published); goal ratio >= 0.7:');
  console.log(`${size}-byte envelopes              Herald node      MQTT.js + bare work   ratio`);
  rows(s, w);
  console.log('');
  console.log('2. The transport alone (deliver resolves at once, no node), beside bare MQTT.js moving the bytes; goal ratio >= 0.7:');
  console.log(`${size}-byte envelopes              Herald transport      bare MQTT.js   ratio`);
  rows(t, b);
  console.log('');
  console.log(`Summary: node / (MQTT.js + bare work) ${(s.perSecond / w.perSecond).toFixed(2)}; transport alone / bare MQTT.js ${(t.perSecond / b.perSecond).toFixed(2)}; for scale, node / bare MQTT.js ${(s.perSecond / b.perSecond).toFixed(2)} and bare work / bare MQTT.js ${(w.perSecond / b.perSecond).toFixed(2)} envelopes/s.`);
} finally {
  await broker.close();
}
