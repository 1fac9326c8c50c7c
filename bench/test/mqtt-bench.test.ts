import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../dist/mqtt.js', import.meta.url));

describe('bench:mqtt', () => {
  it('runs (--quick) through a real Mosquitto and prints each figure beside bare MQTT.js with a ratio', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--quick'], { timeout: 120_000 });
    for (const row of ['envelopes/s', 'p50 latency, ms', 'p99 latency, ms']) {
      const match = new RegExp(`^\\s+${row.replace(/[,/]/g, '\\$&')}\\s+[\\d,.]+\\s+[\\d,.]+\\s+(\\d+\\.\\d\\d)`, 'm').exec(stdout);
      expect(match, `${row} row in:\n${stdout}`).not.toBeNull();
      expect(Number(match![1])).toBeGreaterThan(0);
    }
    expect(stdout).toMatch(/Herald node\s+bare MQTT\.js\s+ratio/);
    expect(stdout).toMatch(/Herald transport\s+bare MQTT\.js\s+ratio/);
  });
});
