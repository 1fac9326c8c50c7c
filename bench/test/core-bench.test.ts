import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../dist/core.js', import.meta.url));

describe('bench:core', () => {
  it('runs and prints a ratio against libsodium for each size, and the wire overhead', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--quick'], { timeout: 60_000 });
    const ratios = [...stdout.matchAll(/^(256 B|1 KiB|64 KiB)\s+[\d,]+\s+[\d,]+\s+(\d+\.\d\d)/gm)];
    expect(ratios.map((match) => match[1])).toEqual(['256 B', '1 KiB', '64 KiB']);
    for (const match of ratios) expect(Number(match[2])).toBeGreaterThan(0);
    expect(stdout).toMatch(/one recipient, sender key inside:\s+172 bytes/);
    const v2 = [...stdout.matchAll(/^(hybrid|classical)\s+[\d,]+\s+[\d,]+\s+(\d+\.\d\d)/gm)];
    expect(v2.map((match) => match[1])).toEqual(['hybrid', 'classical']);
    for (const match of v2) expect(Number(match[2])).toBeGreaterThan(0);
    expect(stdout).toMatch(/one recipient, hybrid, sender key inside: 1301 bytes/);
    expect(stdout).toMatch(/one recipient, classical, sender key inside: 213 bytes/);
  });
});
