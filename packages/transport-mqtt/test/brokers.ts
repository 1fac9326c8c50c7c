import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startMosquitto } from '@herald/transport-mqtt/testing';

/**
 * The two brokers issue 5 asks every MQTT test to run against, as real
 * processes on free loopback ports: Mosquitto, and the relay's embedded Aedes
 * broker (`herald-relay --mqtt`, the relay's built entry point; `tsc -b` first).
 * Each can be stopped with SIGTERM (so it saves what it holds) and started
 * again on the same port and persistence.
 */
export const RELAY_BIN = fileURLToPath(new URL('../../relay/dist/bin.js', import.meta.url));

export interface RelayChild {
  readonly child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A relay process, started once its stdout printed the listening line (or, with `mqttPort`, the broker's line). */
export async function startRelay(port: number, dataDir: string, mqttPort?: number): Promise<RelayChild> {
  const args = [RELAY_BIN, '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--log-level', 'warn'];
  if (mqttPort !== undefined) args.push('--mqtt', `127.0.0.1:${mqttPort}`);
  const ready = mqttPort !== undefined ? 'relay mqtt broker on ' : 'relay listening on ';
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the relay did not print "${ready}" within 10 s: ${seen}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (!seen.includes(ready)) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the relay exited with ${code} on start: ${seen}`));
    });
  });
  return {
    child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface Broker {
  readonly kind: string;
  readonly url: string;
  /** Still running (not crashed): checked after bad input. */
  alive(): boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

export async function mosquittoBroker(): Promise<Broker> {
  const broker = await startMosquitto();
  return {
    kind: 'Mosquitto',
    url: broker.url,
    alive: () => broker.running(),
    stop: () => broker.stop('SIGTERM'),
    start: () => broker.start(),
    close: () => broker.close(),
  };
}

/** The relay's embedded broker in a relay process of its own (its WebSocket side unused), so it can stop while another relay runs. */
export async function embeddedBroker(): Promise<Broker> {
  const [port, mqttPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), 'herald-mqtt-embedded-'));
  let running = await startRelay(port, dataDir, mqttPort);
  return {
    kind: 'the relay’s embedded broker',
    url: `mqtt://127.0.0.1:${mqttPort}`,
    alive: () => running.child.exitCode === null && running.child.signalCode === null,
    stop: () => running.stop(),
    async start() {
      running = await startRelay(port, dataDir, mqttPort);
    },
    async close() {
      await running.stop('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const BROKERS = [
  ['Mosquitto', mosquittoBroker],
  ['the relay’s embedded broker', embeddedBroker],
] as const;
