// Shared with every network transport: the one implementation lives in core.
export { type Backoff, backoff, delay } from '@herald/core';
