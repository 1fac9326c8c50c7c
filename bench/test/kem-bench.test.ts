import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../dist/kem.js', import.meta.url));

describe('bench:kem', () => {
  it('runs and prints encapsulations and decapsulations per second for each KEM', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--quick'], { timeout: 60_000 });
    const rows = [...stdout.matchAll(/^(xwing|x25519|noble X-Wing)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)/gm)];
    expect(rows.map((row) => row[1])).toEqual(['xwing', 'x25519', 'noble X-Wing']);
    for (const row of rows) for (const figure of row.slice(2)) expect(Number(figure?.replaceAll(',', ''))).toBeGreaterThan(0);
  });
});
