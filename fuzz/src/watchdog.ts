import { Worker } from 'node:worker_threads';

/** Room for the current input in the shared buffer; longer inputs are reported cut. */
const INPUT_BYTES = 64 * 1024;

/**
 * A watchdog on a separate thread for work that may never return: a call
 * stuck in a synchronous loop blocks this thread's timers, so only another
 * thread can see it. Before each call the main thread records the input; if
 * no new call starts within `limitMs`, the watchdog writes that input in hex to
 * stderr and kills the process (a worker's process.exit would end only itself).
 */
export interface Watchdog {
  /** A new call starts with `input`. */
  beat(input: Uint8Array): void;
  stop(): Promise<void>;
}

/** An ES module (a data: URL loads as one whatever the parent's module type). */
const WORKER_SOURCE = `
import { workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';
const state = new Int32Array(workerData.state);
const input = new Uint8Array(workerData.input);
let seen = -1;
let since = Date.now();
setInterval(() => {
  const beats = Atomics.load(state, 0);
  if (beats !== seen) { seen = beats; since = Date.now(); return; }
  if (Atomics.load(state, 2) === 1 || Date.now() - since < workerData.limitMs) return;
  const length = Math.min(Atomics.load(state, 1), input.length);
  writeSync(2, 'FAILURE hang: call ' + beats + ' has not returned after ' + workerData.limitMs + ' ms (' + workerData.label + ')\\n    input: ' + Buffer.from(input.subarray(0, length)).toString('hex') + '\\nFAIL\\n');
  process.kill(process.pid, 'SIGKILL');
}, Math.max(50, Math.floor(workerData.limitMs / 4)));
`;

export function startWatchdog(limitMs: number, label: string): Watchdog {
  const state = new SharedArrayBuffer(3 * 4);
  const input = new SharedArrayBuffer(INPUT_BYTES);
  const counters = new Int32Array(state);
  const inputView = new Uint8Array(input);
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`), { workerData: { state, input, limitMs, label } });
  worker.unref();
  return {
    beat(bytes) {
      const length = Math.min(bytes.length, INPUT_BYTES);
      inputView.set(bytes.subarray(0, length));
      Atomics.store(counters, 1, length);
      Atomics.add(counters, 0, 1);
    },
    async stop() {
      Atomics.store(counters, 2, 1);
      await worker.terminate();
    },
  };
}
