import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import type { LinkFault } from '../scenario/types.js';

/** Bytes held in one direction before the source is paused: a delayed or throttled link never buffers without bound. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export interface Pump {
  /** Bytes written to the destination so far. */
  readonly bytes: number;
  setFault(fault: LinkFault | undefined): void;
  /** Calls `callback` once every chunk read so far has been written (at once when none waits), or the pump stopped. */
  whenEmpty(callback: () => void): void;
  stop(): void;
}

/**
 * One direction of a proxied connection. Every chunk gets a release time:
 * now (a healthy link), now + delay, or after the previous chunk at the capped
 * rate; `drop` discards chunks at random; `delay` with a loss rate holds a
 * "lost" chunk back as TCP's retransmission would. Paused and resumed by the proxy for
 * blackholes (the data then waits in the kernel, as on a real silent link).
 */
export function pump(from: Socket, to: Socket, fault: () => LinkFault | undefined): Pump {
  const queue: { chunk: Buffer; at: number }[] = [];
  let queued = 0;
  let lastRelease = 0;
  let timer: NodeJS.Timeout | undefined;
  let bytes = 0;
  let stopped = false;
  let emptied: (() => void)[] = [];
  const tellEmpty = (): void => {
    const waiting = emptied;
    emptied = [];
    for (const callback of waiting) callback();
  };

  const drain = (): void => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && queue[0]!.at <= now && !stopped) {
      const { chunk } = queue.shift()!;
      queued -= chunk.length;
      bytes += chunk.length;
      if (!to.destroyed) to.write(chunk);
    }
    if (queued < MAX_QUEUED_BYTES / 2 && from.isPaused() && !stopped && fault()?.mode !== 'blackhole') from.resume();
    if (queue.length > 0 && !stopped) timer = setTimeout(drain, Math.max(1, queue[0]!.at - now));
    else tellEmpty();
  };

  from.on('data', (chunk: Buffer) => {
    const now = Date.now();
    const current = fault();
    if (current?.mode === 'drop' && randomInt(1_000_000) < (current.dropRate ?? 0) * 1_000_000) return;
    let at = now;
    if (current?.mode === 'delay') at = now + (current.delayMs ?? 0) + retransmissions(current);
    if (current?.mode === 'bandwidth') at = Math.max(now, lastRelease) + (chunk.length / (current.bytesPerSecond ?? 1)) * 1000;
    // Release order must follow arrival order even when the fault changes between chunks.
    at = Math.max(at, queue.at(-1)?.at ?? 0);
    lastRelease = at;
    queue.push({ chunk, at });
    queued += chunk.length;
    if (queued > MAX_QUEUED_BYTES) from.pause();
    if (!timer) drain();
  });
  from.on('end', () => {
    // Let what is queued go out first, then half-close like the source did.
    const finish = (): void => void (queue.length === 0 ? to.end() : setTimeout(finish, 10));
    finish();
  });

  return {
    get bytes() {
      return bytes;
    },
    setFault() {
      if (!timer && queue.length > 0) drain();
    },
    whenEmpty(callback) {
      if (queue.length === 0 || stopped) callback();
      else emptied.push(callback);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      queue.length = 0;
      tellEmpty();
    },
  };
}

/** TCP's retransmission timeout on a link of this delay: a round trip plus Linux's 200 ms minimum. */
const RETRANSMISSION_SLACK_MS = 200;
/** Losses of one chunk in a row at most (at 50 % loss, 1 in 64 chunks would be held back longer). */
const MAX_RETRANSMISSIONS = 6;

/** The extra wait of a chunk lost and resent by TCP, as often as the odds say (geometric), or 0 when it got through. */
function retransmissions(fault: LinkFault): number {
  const rate = fault.lossRate ?? 0;
  let extra = 0;
  for (let tries = 0; tries < MAX_RETRANSMISSIONS && randomInt(1_000_000) < rate * 1_000_000; tries++) extra += 2 * (fault.delayMs ?? 0) + RETRANSMISSION_SLACK_MS;
  return extra;
}
