// Shared with every network transport: the one implementation lives in core.
export { type HealthTracker, healthTracker } from '@herald/core';
