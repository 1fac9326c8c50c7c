import { defineConfig } from 'vitest/config';

// Vitest 5's reporter calls Map.groupBy, which Node 20 lacks (it arrived in Node 21);
// without this a failing test crashes the reporter instead of being reported.
if (typeof (Map as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    value<K, V>(items: Iterable<V>, key: (item: V, index: number) => K): Map<K, V[]> {
      const groups = new Map<K, V[]>();
      let index = 0;
      for (const item of items) {
        const group = key(item, index++);
        const list = groups.get(group);
        if (list) list.push(item);
        else groups.set(group, [item]);
      }
      return groups;
    },
  });
}

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources in tests, so a test never runs stale dist output.
  resolve: { conditions: ['herald-source'] },
  // Vite's server defaults ('module', 'node', 'development|production') must be repeated when adding one.
  ssr: { resolve: { conditions: ['herald-source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts', 'fuzz/test/**/*.test.ts'],
    // Generous: integration tests spawn real servers and CLI processes, and CI machines have 2 cores.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // CI reads the JSON report to print its own `N passed, N failed` line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-report.json' },
  },
});
