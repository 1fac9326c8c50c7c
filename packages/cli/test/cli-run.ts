import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/**
 * The built CLI as real processes, for the cli-*.test.ts files: `pnpm test` runs
 * `tsc -b` first, so dist/ is what a user would run. Each spawn costs ~150 ms;
 * keys are made once a file, by makeFourKeys in its beforeAll.
 */
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const STACK_LINE = '    at ';

export interface Result {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly text: string;
}

interface RunOptions {
  readonly input?: Uint8Array | string;
  readonly env?: Record<string, string>;
}

/** The scratch folder every command runs in; an exported `let`, so a test file reads the one its beforeAll made. */
export let dir = '';

/** A clean environment: an outer HERALD_PASSPHRASE or NODE_OPTIONS must not change what a test sees. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('HERALD_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  env['HERALD_KDF_STRENGTH'] = 'interactive';
  return env;
}

export function herald(args: readonly string[], options: RunOptions = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...baseEnv(), ...options.env }, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out);
      resolve({ code, stdout, stderr: Buffer.concat(err).toString('utf8'), text: stdout.toString('utf8') });
    });
    // A command may exit before reading stdin (usage errors); that EPIPE is expected.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Parses open's `key: value` metadata lines. */
export function metadata(stderr: string): Record<string, string> {
  return Object.fromEntries(
    stderr
      .split('\n')
      .filter((line) => line.includes(': '))
      .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
  );
}

export function expectRefused(result: Result, code: string): void {
  expect(result.stderr).toMatch(new RegExp(`^error ${code}: \\S`));
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toContain(STACK_LINE);
  expect(result.stdout.length).toBe(0);
  expect(result.code).toBe(1);
}

export async function sealFor(recipients: readonly string[], input: Uint8Array | string, extra: readonly string[] = []): Promise<Buffer> {
  const result = await herald(['seal', '--from', 'alice.key', ...recipients.flatMap((to) => ['--to', to]), ...extra], { input });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

export const fingerprints: Record<string, string> = {};

/** For a test file's beforeAll: a fresh scratch folder with keys and cards for alice, bob, carol and dave. */
export async function makeFourKeys(): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'herald-cli-'));
  const names = ['alice', 'bob', 'carol', 'dave'];
  const results = await Promise.all(names.map((name) => herald(['keygen', '--out', `${name}.key`, '--label', name])));
  results.forEach((result, index) => {
    expect(result.code, result.stderr).toBe(0);
    fingerprints[names[index] ?? ''] = result.text.trim();
  });
}

/** For a test file's afterAll. */
export async function removeScratchFolder(): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}
