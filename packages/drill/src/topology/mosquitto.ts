import { spawnSync } from 'node:child_process';
import { startMosquitto } from '@herald/transport-mqtt/testing';
import type { Daemon } from './daemon.js';

export function mosquittoInstalled(): boolean {
  return spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' }).stdout.trim() !== '';
}

/** A real Mosquitto with its own config and persistence in a temp folder; a restart keeps its port. */
export async function startMosquittoDaemon(): Promise<Daemon> {
  const broker = await startMosquitto();
  let running = true;
  return {
    port: broker.port,
    get running() {
      return running;
    },
    async kill() {
      await broker.stop('SIGKILL');
      running = false;
    },
    async restart() {
      await broker.start();
      running = true;
    },
    async close() {
      running = false;
      await broker.close();
    },
  };
}
