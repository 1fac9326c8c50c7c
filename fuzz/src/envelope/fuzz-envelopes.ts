import { performance } from 'node:perf_hooks';
import { EnvelopeError, open } from '@herald/core';
import { GrowthCheck, rssOf } from '../memory.js';
import { prng } from '../prng.js';
import { Tally } from '../tally.js';
import { startWatchdog } from '../watchdog.js';
import { CaseMaker } from './cases.js';
import { cast, seeds } from './seeds.js';

export interface EnvelopeFuzzInit {
  /** Mutated envelopes to open. */
  readonly count: number;
  readonly seed: number;
  /** A single `open` taking longer than this is a hang. */
  readonly hangMs: number;
  /** Growth of this process's resident memory past this, after the warm-up tenth of the run, fails the run. */
  readonly maxGrowthBytes: number;
  /** Called every `progressEvery` envelopes with the count done. */
  readonly onProgress?: (done: number, tally: Tally) => void;
  readonly progressEvery?: number;
  /** The function under test. Default core's `open`; tests pass a broken one to see the fuzzer catch it. */
  readonly open?: typeof open;
  /** A call that never returns kills the process after this long, printing its input (a watchdog thread). Default 10 000 ms; 0 for none. */
  readonly watchdogMs?: number;
  /** Count refusals by code and message (numbers masked), to see which checks the mutations reach. Default false. */
  readonly byMessage?: boolean;
  /** The run's clock in ms (seeds sealed and every case opened at it; the times are in the bytes). Default now; a replay passes the printed one. */
  readonly nowMs?: number;
}

const MEMORY_SAMPLE_EVERY = 20_000;

/**
 * Opens `count` mutated envelopes, in this process, through core's `open`.
 * Every outcome must be a success or an EnvelopeError (counted by code);
 * anything else, a call over `hangMs`, an altered envelope accepted, or memory
 * growth past the bound is a failure, kept with its input in hex.
 */
export async function fuzzEnvelopes(init: EnvelopeFuzzInit): Promise<Tally> {
  const random = prng(init.seed);
  // Keys, seed envelopes and mutations all follow the seed, so a failing input can be replayed with it.
  const people = cast(init.seed);
  // One clock for the whole run: seeds are sealed at it and every case opens at it (a run takes minutes).
  const nowMs = init.nowMs ?? Date.now();
  const tally = new Tally(`envelopes through open (seed ${init.seed}, clock ${nowMs})`);
  const maker = new CaseMaker(seeds(people, init.seed, nowMs), people, nowMs);
  const growth = new GrowthCheck(init.maxGrowthBytes);
  const openEnvelope = init.open ?? open;
  const warmUp = Math.max(MEMORY_SAMPLE_EVERY, Math.floor(init.count / 10));
  const watchdogMs = init.watchdogMs ?? 10_000;
  const watchdog = watchdogMs > 0 ? startWatchdog(watchdogMs, `open, seed ${init.seed}`) : undefined;
  for (let done = 0; done < init.count; done++) {
    const fuzzCase = maker.next(random);
    watchdog?.beat(fuzzCase.bytes);
    const started = performance.now();
    try {
      await openEnvelope(fuzzCase.bytes, fuzzCase.options);
      tally.count(`opened (${fuzzCase.layer})`);
      if (fuzzCase.layer === 'outer' && !maker.isSeed(fuzzCase.bytes)) tally.fail('altered envelope accepted', `case ${done}: an envelope changed on the wire opened`, fuzzCase.bytes);
    } catch (error) {
      if (error instanceof EnvelopeError) tally.count(`EnvelopeError ${error.code} (${fuzzCase.layer})${init.byMessage ? `: ${error.message.replace(/[0-9a-f]{32}|[0-9T:.-]{20,}Z|\d+/g, 'N')}` : ''}`);
      else tally.fail('untyped error', `case ${done} (${fuzzCase.layer}): ${(error as Error)?.name}: ${(error as Error)?.message}`, fuzzCase.bytes);
    }
    const elapsed = performance.now() - started;
    if (elapsed > init.hangMs) tally.fail('hang', `case ${done} (${fuzzCase.layer}): open took ${elapsed.toFixed(0)} ms`, fuzzCase.bytes);
    if ((done + 1) % MEMORY_SAMPLE_EVERY === 0 && done + 1 >= warmUp) {
      const problem = growth.sample(await rssOf());
      if (problem) {
        tally.fail('unbounded memory', `after ${done + 1} envelopes: ${problem}`);
        break;
      }
    }
    if (init.onProgress && (done + 1) % (init.progressEvery ?? 100_000) === 0) init.onProgress(done + 1, tally);
  }
  await watchdog?.stop();
  tally.notes.push(`memory of this process: ${growth.summary()}`);
  return tally;
}
