import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cardToFile, generateIdentity, writeSecretKeyFile, type Identity } from '@herald/core';

/** The built `herald` command, run as a real process by the CLI's integration tests. */
export const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Starts `herald ARGS…` with extra environment; its stdout and stderr are gathered together. */
export function run(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Alice and Bob with their key files (`alice.key`, `bob.key`) and cards (`alice.card`, `bob.card`) written in `dir`. */
export async function aliceAndBob(dir: string): Promise<{ alice: Identity; bob: Identity; keys: { alice: string; bob: string } }> {
  const made = { alice: generateIdentity({ label: 'Alice' }), bob: generateIdentity({ label: 'Bob' }) };
  const keys = { alice: join(dir, 'alice.key'), bob: join(dir, 'bob.key') };
  for (const name of ['alice', 'bob'] as const) {
    await writeSecretKeyFile(keys[name], made[name]);
    await writeFile(join(dir, `${name}.card`), cardToFile(made[name].card));
  }
  return { ...made, keys };
}
