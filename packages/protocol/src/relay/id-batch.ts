/**
 * Gathers the ids answered in one burst (the ACCEPTEDs of one group commit, the
 * ACKs of one store commit) into as few frames as possible: each frame costs
 * both ends a WebSocket message to frame, parse and dispatch, which at high
 * rates costs more than the ids themselves.
 */
import { MAX_IDS_PER_FRAME } from './frame-layout.js';

export interface IdBatch {
  add(id: number): void;
  /** Sends what is gathered now (before a close, say). */
  flush(): void;
}

/** `schedule` decides how long a burst lasts: queueMicrotask for the current one, setImmediate for the loop's pass. */
export function idBatch(send: (ids: readonly number[]) => void, schedule: (flush: () => void) => void): IdBatch {
  let ids: number[] = [];
  const flush = (): void => {
    if (ids.length === 0) return;
    const batch = ids;
    ids = [];
    send(batch);
  };
  return {
    add(id) {
      ids.push(id);
      if (ids.length === 1) schedule(flush);
      else if (ids.length >= MAX_IDS_PER_FRAME) flush();
    },
    flush,
  };
}
