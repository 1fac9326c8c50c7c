import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples/field-station', () => {
  it('delivers every report end to end, before and after the first spool folder is cut', async () => {
    const script = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 90_000 });
    expect(stdout).toContain('done: 6 of 6 reports delivered end to end');
    const received = stdout.split('\n').filter((line) => line.includes(' received '));
    expect(received).toHaveLength(6);
    const afterCut = stdout.split('the office share goes offline')[1] ?? '';
    for (const line of afterCut.split('\n').filter((entry) => entry.includes(' received '))) expect(line).toContain('via courier-stick');
    expect(stdout).toMatch(/hq → FLASH "Evacuate sector 4 by 18:00": delivered/);
  }, 120_000);
});
