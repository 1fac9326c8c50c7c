import { generateIdentity } from '@herald/core';
import { GrowthCheck, mib } from '../memory.js';
import { prng, type Prng } from '../prng.js';
import { RecentInputs } from '../recent.js';
import { Tally } from '../tally.js';
import { frameMaterial } from './frame-seeds.js';
import { fuzzMqttConnection, type MqttPhase } from './mqtt-fuzz.js';
import { probeRelay } from './probe.js';
import { startRelay, type FuzzedRelay } from './relay-process.js';
import { fuzzConnection, type Phase } from './ws-fuzz.js';

export interface RelayFuzzInit {
  /** Mutated WebSocket frames, half before AUTH and half after. */
  readonly frames: number;
  /** Mutated MQTT packets, half before CONNACK and half after. */
  readonly packets: number;
  readonly seed: number;
  /** The probe's limit: /healthz, an honest round and an honest MQTT CONNECT each answered within it. */
  readonly hangMs: number;
  /** Connections open at once per protocol. Default 4. */
  readonly parallel?: number;
  /** Growth of the relay's RSS past this after the first tenth of the run fails it. Default 128 MiB. */
  readonly maxGrowthBytes?: number;
  readonly onProgress?: (line: string) => void;
}

const PROBE_EVERY_MS = 500;

/**
 * The relay's limits for the run: its defaults, except the MQTT session cap,
 * lowered so the run reaches it and memory can be seen to level off there
 * instead of growing toward a cap of 100 000 sessions that a run never reaches.
 * The store keeps its defaults: the fuzzing clients' deposits that parse are
 * stored until they expire, and a store cap low enough to reach (2 000 was
 * tried) then refuses the probe's honest deposits with RELAY_FULL — a global
 * cap refuses everyone alike once garbage filled it.
 */
const RELAY_CONFIG = { mqttMaxSessions: 200 };

/** Budgeted phases worked off by several connections at once; each connection takes up to 8 of the budget. */
async function workOff<P extends string>(phases: readonly (readonly [P, number])[], parallel: number, random: (worker: number) => Prng, run: (phase: P, budget: number, random: Prng) => Promise<number>, stopped: () => boolean): Promise<void> {
  for (const [phase, total] of phases) {
    let remaining = total;
    await Promise.all(
      Array.from({ length: parallel }, async (_, worker) => {
        const own = random(worker);
        while (remaining > 0 && !stopped()) {
          const budget = Math.min(remaining, 8);
          remaining -= budget;
          const sent = await run(phase, budget, own);
          // A connection that ended before sending (refused, say) gives its budget back.
          remaining += budget - sent;
        }
      }),
    );
  }
}

/** Watches the relay while the fuzzers run: alive, answering probes in time, memory bounded. */
function monitor(relay: FuzzedRelay, health: Tally, hangMs: number, maxGrowthBytes: number, seed: number, recent: RecentInputs) {
  const identity = generateIdentity({ label: 'probe' });
  const random = prng(seed ^ 0x5eed);
  const growth = new GrowthCheck(maxGrowthBytes);
  let warm = false;
  let running = true;
  let dead = false;
  let probes = 0;
  const loop = (async () => {
    while (running && !dead) {
      const death = relay.death();
      if (death !== undefined) {
        dead = true;
        health.fail('relay died', death, recent.list());
        break;
      }
      const problems = await probeRelay(relay, identity, random, hangMs);
      probes++;
      if (problems.length === 0) health.count('probe answered in time');
      for (const problem of problems) health.fail('probe', problem);
      if (warm) {
        const problem = growth.sample(await relay.rss().catch(() => 0));
        if (problem) health.fail('unbounded memory', `relay: ${problem}`);
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  return {
    get dead() {
      return dead;
    },
    warmedUp: () => (warm = true),
    async stop(): Promise<void> {
      running = false;
      await loop;
      health.notes.push(`${probes} probes; relay memory: ${growth.summary()}`);
    },
  };
}

/**
 * Mutated relay frames over WebSocket and mutated MQTT packets over TCP, at
 * the same time, against one real relay process started with --mqtt; a probe
 * checks every 0.5 s that it lives, answers in time and keeps its memory bounded.
 */
export async function fuzzRelay(init: RelayFuzzInit): Promise<Tally[]> {
  const parallel = init.parallel ?? 4;
  const ws = new Tally(`relay frames over WebSocket (seed ${init.seed})`);
  const mqtt = new Tally(`MQTT packets to the relay's broker (seed ${init.seed})`);
  const health = new Tally('relay process');
  const recent = new RecentInputs();
  const material = frameMaterial();
  const mqttEnvelope = material.envelopes[0]!;
  const relay = await startRelay(RELAY_CONFIG);
  const watch = monitor(relay, health, init.hangMs, init.maxGrowthBytes ?? 128 * 2 ** 20, init.seed, recent);
  let done = 0;
  let frames = 0;
  let packets = 0;
  // Enough failures to report; going on would only repeat them (or spin against a relay that refuses everyone).
  const stopped = (): boolean => watch.dead || ws.failureCount + mqtt.failureCount + health.failureCount > 100;
  const total = init.frames + init.packets;
  let nextReport = 0;
  const progressed = (count: number): number => {
    done += count;
    if (done >= total / 10) watch.warmedUp();
    if (done >= nextReport) {
      nextReport += Math.max(1, Math.floor(total / 10));
      void relay.rss().then((rss) => init.onProgress?.(`relay: ${done}/${total} frames and packets, relay RSS ${mib(rss)}`), () => undefined);
    }
    return count;
  };
  const wsPhases: (readonly [Phase, number])[] = [['before AUTH', Math.floor(init.frames / 2)], ['after AUTH', Math.ceil(init.frames / 2)]];
  const mqttPhases: (readonly [MqttPhase, number])[] = [['MQTT before CONNACK', Math.floor(init.packets / 2)], ['MQTT after CONNACK', Math.ceil(init.packets / 2)]];
  try {
    await Promise.all([
      workOff(wsPhases, parallel, (worker) => prng(init.seed + 1 + worker), async (phase, budget, random) => {
        const sent = progressed(await fuzzConnection(relay.url, phase, budget, material, random, ws, recent));
        frames += sent;
        return sent;
      }, stopped),
      workOff(mqttPhases, parallel, (worker) => prng(init.seed + 101 + worker), async (phase, budget, random) => {
        const sent = progressed(await fuzzMqttConnection(relay.mqttPort, phase, budget, mqttEnvelope, random, mqtt, recent));
        packets += sent;
        return sent;
      }, stopped),
    ]);
  } finally {
    await watch.stop();
    await relay.stop();
  }
  ws.notes.push(`${frames} mutated frames sent`);
  mqtt.notes.push(`${packets} mutated packets sent`);
  return [ws, mqtt, health];
}
