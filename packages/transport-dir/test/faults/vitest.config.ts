import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
// The root config also installs the Map.groupBy shim Vitest's reporter needs on Node 20.
import root from '../../../../vitest.config.js';

/** Runs only the fault suites, many cases at once (they mostly wait on polls), reporting JSON for the checker. */
export default defineConfig({
  root: fileURLToPath(new URL('../../../../', import.meta.url)),
  resolve: root.resolve ?? {},
  ssr: root.ssr ?? {},
  test: {
    include: ['packages/transport-dir/test/faults/*.faults.ts'],
    pool: 'forks',
    sequence: { concurrent: true },
    maxConcurrency: 24,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
