import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { FAULTS, MUST_FAIL } from './faults/faulty.js';

/**
 * Checks the checker: runs the compliance suite (in a separate vitest process)
 * against a dirTransport wrapped with one deliberate fault at a time, and
 * requires each fault to fail the cases meant to catch it, while the unwrapped
 * control passes every case.
 */
interface JsonReport {
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

it('every compliance case that should catch a fault does, and the faultless control passes', { timeout: 300_000 }, async () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  // The CLI entry is not an export of the package; its package.json is, and the entry sits next to it.
  const vitest = join(dirname(createRequire(join(root, 'package.json')).resolve('vitest/package.json')), 'vitest.mjs');
  const out = await mkdtemp(join(tmpdir(), 'herald-faults-'));
  try {
    const report = join(out, 'report.json');
    const config = fileURLToPath(new URL('./faults/vitest.config.ts', import.meta.url));
    // The child fails (exit code 1) by design; only the report matters.
    await promisify(execFile)(process.execPath, [vitest, 'run', '--config', config, '--reporter=json', `--outputFile=${report}`], { cwd: root, timeout: 280_000, env: { ...process.env, CI: '' } }).catch(() => undefined);
    const results = (JSON.parse(await readFile(report, 'utf8')) as JsonReport).testResults.flatMap((file) => file.assertionResults);
    for (const fault of FAULTS) {
      const mine = results.filter((result) => result.fullName.startsWith(`fault=${fault}:`));
      expect(mine.length, `cases run for fault=${fault}`).toBeGreaterThan(15);
      const failed = mine.filter((result) => result.status === 'failed').map((result) => result.fullName);
      if (fault === 'none') expect(mine.filter((result) => result.status !== 'passed').map((result) => result.fullName), 'the control (no fault) passes everything').toEqual([]);
      for (const expected of MUST_FAIL[fault]) expect(failed.some((name) => name.includes(expected)), `fault=${fault} must fail "${expected}"; failed: ${JSON.stringify(failed)}`).toBe(true);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
