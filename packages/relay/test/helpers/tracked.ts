import { startNode, type TestNode } from './nodes.js';
import { removeTempDirs, spawnRelay, type RelayProcess, type SpawnOptions } from './relay-process.js';

/**
 * Relay processes and nodes a test file starts, remembered so its afterAll ends them all (nodes first, then relays
 * with SIGKILL) and removes the relays' temp folders.
 */
export interface Tracked {
  relay(options: SpawnOptions): Promise<RelayProcess>;
  node(...args: Parameters<typeof startNode>): Promise<TestNode>;
  stopAll(): Promise<void>;
}

export function tracked(): Tracked {
  const relays: RelayProcess[] = [];
  const nodes: TestNode[] = [];
  return {
    async relay(options) {
      const started = await spawnRelay(options);
      relays.push(started);
      return started;
    },
    async node(...args) {
      const started = await startNode(...args);
      nodes.push(started);
      return started;
    },
    async stopAll() {
      await Promise.all(nodes.splice(0).map((node) => node.stop()));
      await Promise.all(relays.splice(0).map((relay) => relay.kill('SIGKILL')));
      await removeTempDirs();
    },
  };
}
