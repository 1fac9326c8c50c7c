import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../dist/shape.js', import.meta.url));

describe('bench:shape', () => {
  it('runs (--quick) and prints bytes and CPU per 1 000 envelopes beside padding off, and the idle cost', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--quick'], { timeout: 120_000 });
    const contenders = ['padding off', 'padding on', 'padding + cover 60/min', 'padding + cover 600/min'];
    for (const workload of ['short text (100-byte body): envelope 326 bytes', '1 KiB body: envelope 2118 bytes']) {
      const section = stdout.slice(stdout.indexOf(workload));
      expect(section, stdout).not.toBe('');
      for (const label of contenders) {
        const match = new RegExp(`^  ${label.replace(/[+/]/g, '\\$&')}\\s+([\\d,.]+)\\s+(\\d+\\.\\d\\d)\\s+([\\d,]+)\\s+(\\d+\\.\\d\\d)$`, 'm').exec(section);
        expect(match, `${label} row in:\n${section}`).not.toBeNull();
        for (const figure of match!.slice(1)) expect(Number(figure!.replace(/,/g, ''))).toBeGreaterThan(0);
      }
      expect(section).toMatch(/^  padding off\s+[\d,.]+\s+1\.00\s+[\d,]+\s+1\.00$/m);
    }
    // Padding costs bytes: a 326-byte envelope's frames grow to 512 bytes.
    const short = stdout.slice(stdout.indexOf('short text'));
    expect(Number(/^  padding on\s+[\d,.]+\s+(\d+\.\d\d)/m.exec(short)![1])).toBeGreaterThan(1.2);
    for (const label of contenders) expect(stdout).toMatch(new RegExp(`^  ${label.replace(/[+/]/g, '\\$&')}\\s+[\\d,]+ KiB/h\\s+ratio\\s+\\S+\\s+CPU\\s+[\\d,.]+ s/h$`, 'm'));
  });
});
