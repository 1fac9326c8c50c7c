/**
 * pnpm fuzz — mutated envelopes through core's `open`, then mutated relay
 * frames and MQTT packets against real relay processes, before and after
 * authentication. Prints counts by outcome; exits 1 on any failure (an untyped
 * error, a crash, a hang over 1 s, memory growing without bound).
 *
 * HERALD_FUZZ_SEED replays a run (the seed is printed first); counts through
 * HERALD_FUZZ_ENVELOPES, HERALD_FUZZ_FRAMES, HERALD_FUZZ_PACKETS (0 skips a part);
 * HERALD_FUZZ_BY_MESSAGE=1 counts envelope refusals by message too.
 */
import { fuzzEnvelopes } from './envelope/fuzz-envelopes.js';
import { freshSeed } from './prng.js';
import { fuzzRelay } from './relay/fuzz-relay.js';
import { numberSetting } from './settings.js';
import type { Tally } from './tally.js';

const seed = numberSetting('HERALD_FUZZ_SEED', freshSeed());
const envelopes = numberSetting('HERALD_FUZZ_ENVELOPES', 1_000_000);
const frames = numberSetting('HERALD_FUZZ_FRAMES', 200_000);
const packets = numberSetting('HERALD_FUZZ_PACKETS', 200_000);
const hangMs = numberSetting('HERALD_FUZZ_HANG_MS', 1000, 1);
/** The envelope run's clock: the times inside its envelopes, so a replay needs it along with the seed. */
const nowMs = numberSetting('HERALD_FUZZ_NOW', Date.now());

console.log(`herald fuzz — seed ${seed}, clock ${nowMs} (HERALD_FUZZ_SEED=${seed} HERALD_FUZZ_NOW=${nowMs} replays this run); ${envelopes} envelopes, ${frames} relay frames, ${packets} MQTT packets`);
const tallies: Tally[] = [];
const started = Date.now();
if (envelopes > 0) {
  const tally = await fuzzEnvelopes({
    count: envelopes,
    seed,
    nowMs,
    hangMs,
    byMessage: process.env.HERALD_FUZZ_BY_MESSAGE === '1',
    maxGrowthBytes: numberSetting('HERALD_FUZZ_MAX_GROWTH_MIB', 128, 1) * 2 ** 20,
    onProgress: (done, current) => console.log(`  envelopes: ${done}/${envelopes}, ${current.failureCount} failures, ${((Date.now() - started) / 1000).toFixed(0)} s`),
  });
  console.log(tally.report());
  tallies.push(tally);
}
if (frames > 0 || packets > 0) {
  for (const tally of await fuzzRelay({ frames, packets, seed, hangMs, onProgress: (line) => console.log(`  ${line}`) })) {
    console.log(tally.report());
    tallies.push(tally);
  }
}
const failures = tallies.reduce((sum, tally) => sum + tally.failureCount, 0);
console.log(`${failures === 0 ? 'PASS' : 'FAIL'}: ${failures} failures in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${seed})`);
process.exitCode = failures === 0 ? 0 : 1;
