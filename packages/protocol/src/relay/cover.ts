import { secureRandom } from '@herald/core';

/**
 * Cover traffic's timing (docs/relay-protocol.md 10.4), the same at both ends: the client's cover frames and the
 * relay's, each at Poisson times of a mean rate.
 */

export interface CoverSchedule {
  /** A real frame left: it takes the place of the next cover frame due (at most `MAX_CREDIT` ahead). */
  realFrameSent(): void;
  stop(): void;
}

/**
 * Real frames stand in for cover frames up to this many ahead: below the cover rate, the number of frames in a
 * minute stays what the cover alone makes; a burst above it shows (bounded so a burst does not silence cover for long).
 */
export const MAX_CREDIT = 8;

/** An exponential delay of mean `meanMs` from the CSPRNG: the gaps of a Poisson process. */
export function poissonDelay(meanMs: number): number {
  const bytes = secureRandom(4);
  const draw = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  // (draw + 1) / 2^32 is in (0, 1]: its logarithm is finite.
  return -Math.log((draw + 1) / 2 ** 32) * meanMs;
}

/**
 * Sends cover frames at Poisson times of the configured mean rate until stopped: the gaps between frames are
 * memoryless, so their timing says nothing about when real frames were due, and a real frame sent meanwhile is
 * counted as one of the process's frames (the next due cover frame is skipped).
 */
export function coverSchedule(framesPerMinute: number, sendCover: () => void): CoverSchedule {
  const meanMs = 60_000 / framesPerMinute;
  let credit = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const arm = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      if (credit > 0) credit--;
      else sendCover();
      arm();
    }, poissonDelay(meanMs));
    // A timer is an object with unref() under Node, a number in a page.
    (timer as { unref?: () => void }).unref?.();
  };
  arm();
  return {
    realFrameSent() {
      credit = Math.min(MAX_CREDIT, credit + 1);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
