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

const roots = (pattern: string): string[] => ['packages/*/test/**/', 'examples/*/test/**/', 'bench/test/**/', 'fuzz/test/**/'].map((root) => root + pattern);

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources in tests, so a test never runs stale dist output.
  resolve: { conditions: ['herald-source'] },
  // Vite's server defaults ('module', 'node', 'development|production') must be repeated when adding one.
  ssr: { resolve: { conditions: ['herald-source', 'module', 'node', 'development|production'] } },
  test: {
    // Two groups, one after the other: unit tests two files at a time (they start no servers of their own and
    // measure no wall-clock targets), then the integration tests one file at a time, since real servers, drills and
    // the timing targets they check share this machine's two cores.
    projects: [
      { extends: true, test: { name: 'unit', include: roots('*.test.ts'), exclude: ['**/*.integration.test.ts'], maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'integration', include: roots('*.integration.test.ts'), maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
    // Generous: integration tests spawn real servers and CLI processes, and CI machines have 2 cores.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // CI reads the JSON report to print its own `N passed, N failed` line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-report.json' },
  },
});
