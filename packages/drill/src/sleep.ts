/** Resolves after `ms`, or at once when `signal` aborts (never rejects: the caller checks `signal.aborted`). */
export { delay as sleep } from '@herald/core';
