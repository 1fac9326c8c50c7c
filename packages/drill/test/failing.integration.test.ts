import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { DrillResult } from '@herald/drill';

/**
 * A drill must fail, with a non-zero exit, when a message is lost or a target
 * is missed: teams gate their CI on it. Two real drills through `herald drill`
 * that cannot pass, each for one reason only, so neither verdict is an accident.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'packages/cli/dist/bin.js');
const workdir = await mkdtemp(join(tmpdir(), 'herald-drill-failing-'));
afterAll(() => rm(workdir, { recursive: true, force: true }));

function run(command: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

async function scenario(name: string, yaml: string): Promise<string> {
  const path = join(workdir, `${name}.yaml`);
  await writeFile(path, yaml);
  return path;
}

const report = (name: string): DrillResult => JSON.parse(readFileSync(join(workdir, 'reports', `${name}.json`), 'utf8')) as DrillResult;

/** Processes whose command line mentions `text` (a drill's --keep folder: its relay, broker and nodes). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (command.includes(text)) found.push(`${pid}: ${command}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe('herald drill fails when it must', () => {
  it('exits 1 (SCENARIO_INVALID) naming the field when the scenario does not validate, before starting anything', async () => {
    const file = await scenario('typo', 'name: typo\nnodes: [ops, field]\nload: { duration: 3s, rate: 1 }\nfaults: [{ at: 1s, cut: { channel: relay, mode: blackhol } }]\n');
    const { code, stdout, stderr } = await run(process.execPath, [cli, 'drill', file, '--report-dir', join(workdir, 'reports')]);
    expect(code, `${stdout}\n${stderr}`).toBe(1);
    expect(stderr).toContain(`error SCENARIO_INVALID: ${file}.faults[0].cut.mode: expected one of blackhole, reset, delay, bandwidth, drop, got "blackhol"`);
    expect(stdout).toBe('');
  });

  it('exits 1 (DRILL_FAILED) when messages are lost, after a live progress line on a terminal', async () => {
    // Courier spools only, and no courier ever runs: every message is accepted and none can arrive.
    const file = await scenario('nothing-arrives', `
name: nothing-arrives
description: courier spools only and no courier run, so nothing can arrive
topology: { relay: false, broker: none, dir: false, bundle: true }
nodes: [ops, field]
load: { duration: 3s, rate: 4, from: [ops], to: [field] }
settle: 2s
`);
    // script(1) gives the CLI a pseudo-terminal, where it draws its progress line; -e passes on its exit code.
    const command = [process.execPath, cli, 'drill', file, '--report-dir', join(workdir, 'reports')].map((word) => `'${word}'`).join(' ');
    const { code, stdout, stderr } = await run('script', ['-qefc', command, '/dev/null']);
    const output = `${stdout}\n${stderr}`;
    expect(code, output).toBe(1);
    expect(output).toMatch(/\r\x1b\[K\d+\.\ds\/3s {2}sent [1-9]\d* {2}delivered 0/);
    expect(output).toMatch(/drill nothing-arrives: FAILED \(\d+ lost\)/);
    expect(output).toMatch(/error DRILL_FAILED: drill nothing-arrives failed: \d+ lost/);
    const result = report('nothing-arrives');
    expect(result.passed).toBe(false);
    expect(result.exactlyOnce.expected).toBeGreaterThan(5);
    expect(result.exactlyOnce.delivered).toBe(0);
    expect(result.exactlyOnce.lost).toBe(result.exactlyOnce.expected);
    expect(result.exactlyOnce.duplicates).toBe(0);
    expect(result.failures).toEqual([`${result.exactlyOnce.lost} lost`]);
    expect(result.exactlyOnce.problems[0]).toMatch(/^lost: ops-\d+ → field: never handed out \(ROUTINE, accepted by bundle\)$/);
  }, 180_000);

  it('exits 1 (DRILL_FAILED) when every message arrives once but the targets are missed', async () => {
    // The relay is the only channel and its links are blackholed for 6 s: FLASH sent meanwhile waits for
    // the link to return (well over 3 s), and there is no other channel to fail over to.
    const file = await scenario('targets-missed', `
name: targets-missed
description: relay only, its links blackholed for 6 s
topology: { relay: true, broker: none, dir: false }
nodes: [ops, field]
load: { duration: 8s, rate: 3, from: [ops], to: [field], precedences: { FLASH: 1 } }
faults:
  - { name: relay-cut, at: 1s, cut: { channel: relay, mode: blackhole, for: 6s } }
targets:
  - { metric: latency, precedence: FLASH, percentile: 100, max: 3s, during: relay-cut }
  - { metric: failover, fault: relay-cut, max: 5s }
settle: 60s
`);
    const { code, stdout, stderr } = await run(process.execPath, [cli, 'drill', file, '--report-dir', join(workdir, 'reports')]);
    expect(code, `${stdout}\n${stderr}`).toBe(1);
    expect(stdout).toContain('drill targets-missed: FAILED (2 target(s) missed)');
    expect(stderr).toContain('error DRILL_FAILED: drill targets-missed failed: 2 target(s) missed');
    const result = report('targets-missed');
    // Nothing lost or duplicated: the targets alone fail this drill.
    expect(result.exactlyOnce.expected).toBeGreaterThan(10);
    expect(result.exactlyOnce.delivered).toBe(result.exactlyOnce.expected);
    expect(result.exactlyOnce.lost).toBe(0);
    expect(result.exactlyOnce.duplicates).toBe(0);
    const [latency, failover] = result.targets;
    expect(latency!.ok, latency!.measured).toBe(false);
    const measured = /^(\d+) ms over (\d+) message\(s\)$/.exec(latency!.measured);
    expect(Number(measured?.[1])).toBeGreaterThan(3_000);
    expect(failover).toMatchObject({ ok: false, measured: 'no delivery over another channel after the fault' });
    expect(result.failures).toEqual(['2 target(s) missed']);
  }, 180_000);

  it('on SIGTERM stops in order: exits 1 reporting the drill interrupted, and no process it started outlives it', async () => {
    const file = await scenario('interrupted', `
name: interrupted
description: a two-minute drill stopped with SIGTERM a few seconds in
topology: { relay: true, broker: embedded, dir: true }
nodes: [ops, field]
load: { duration: 120s, rate: 2 }
faults:
  - { name: relay-down, at: 60s, kill: relay, restart: 5s }
`);
    const keep = join(workdir, 'kept');
    const child = spawn(process.execPath, [cli, 'drill', file, '--report-dir', join(workdir, 'reports'), '--keep', keep], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    let code: number | null;
    try {
      // Running: both node stores exist and the load has had a few seconds.
      const deadline = Date.now() + 90_000;
      while (!(existsSync(join(keep, 'nodes/ops/store')) && existsSync(join(keep, 'nodes/field/store'))) && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 200));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      // The relay, the broker and both nodes are running now, as processes of their own (and the CLI).
      expect(processesMentioning(keep).length, `${stdout}\n${stderr}`).toBeGreaterThanOrEqual(5);
    } finally {
      child.kill('SIGTERM');
      code = await closed;
    }
    expect(code, `${stdout}\n${stderr}`).toBe(1);
    expect(stdout).toMatch(/^drill interrupted: FAILED \(interrupted/);
    expect(stderr).toMatch(/error DRILL_FAILED: drill interrupted failed: interrupted/);
    expect(report('interrupted').failures[0]).toBe('interrupted');
    expect(processesMentioning(keep)).toEqual([]);
  }, 180_000);

  it('when the drill itself is SIGKILLed, its watchdog ends every process it had started', async () => {
    const file = await scenario('killed', `
name: killed
description: a two-minute drill killed outright a few seconds in
topology: { relay: true, broker: embedded, dir: true }
nodes: [ops, field]
load: { duration: 120s, rate: 2 }
`);
    const keep = join(workdir, 'killed');
    const child = spawn(process.execPath, [cli, 'drill', file, '--report-dir', join(workdir, 'reports'), '--keep', keep], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const closed = new Promise((resolve) => child.once('close', resolve));
    try {
      const deadline = Date.now() + 90_000;
      while (!(existsSync(join(keep, 'nodes/ops/store')) && existsSync(join(keep, 'nodes/field/store'))) && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 200));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      // The relay, the broker and both nodes run as processes of their own.
      expect(processesMentioning(keep).length, output).toBeGreaterThanOrEqual(4);
      child.kill('SIGKILL');
      await closed;
      // No SIGTERM handler ran: only the watchdog can end them. Within its grace period, all are gone.
      const gone = Date.now() + 15_000;
      while (processesMentioning(keep).length > 0 && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(processesMentioning(keep)).toEqual([]);
    } finally {
      for (const line of processesMentioning(keep)) {
        try {
          process.kill(Number(line.split(':')[0]), 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
  }, 180_000);
});
