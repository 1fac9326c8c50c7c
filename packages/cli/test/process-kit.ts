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

export interface Finished {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/**
 * Runs `herald ARGS…` to its end with `input` on stdin (in `cwd`, default this process's), gathering both outputs.
 * `command` runs that instead of `node bin ARGS…` (a wrapper such as a pseudo-terminal), with the same plumbing.
 */
export function herald(args: string[], options: { input?: Uint8Array | string; cwd?: string; env?: NodeJS.ProcessEnv; command?: readonly string[] } = {}): Promise<Finished> {
  const [file, ...rest] = options.command ?? [process.execPath, bin, ...args];
  return new Promise((resolve) => {
    const child = spawn(file!, rest, { stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}), env: { ...process.env, ...options.env } });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    // A command may exit before reading stdin (usage errors); that EPIPE is expected.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
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
