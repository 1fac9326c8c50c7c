import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples/quickstart', () => {
  it('runs end to end: sealed, inspected, opened once, replay refused', async () => {
    const script = fileURLToPath(new URL('../dist/demo.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 30_000 });
    expect(stdout).toContain('"Evacuate sector 4 by 18:00. Acknowledge."');
    expect(stdout).toMatch(/from Alice \(ops room\) \[[0-9A-Z ]{29}\], FLASH/);
    expect(stdout).toContain('refused with REPLAY');
    const outsider = stdout.split('What Bob opens')[0] ?? '';
    expect(outsider).not.toContain('Evacuate');
  });
});
