import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../dist/mqtt.js', import.meta.url));

describe('bench:mqtt', () => {
  it('runs (--quick) through a real Mosquitto: the node beside MQTT.js plus bare work, the transport beside bare MQTT.js, each with ratios', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--quick'], { timeout: 180_000 });
    const tables = stdout.split(/\n(?=\d\. )/).slice(1);
    expect(tables, stdout).toHaveLength(2);
    expect(tables[0]).toMatch(/Herald node\s+MQTT\.js \+ bare work\s+ratio/);
    expect(tables[1]).toMatch(/Herald transport\s+bare MQTT\.js\s+ratio/);
    for (const table of tables) {
      for (const row of ['envelopes/s', 'p50 latency, ms', 'p99 latency, ms']) {
        const match = new RegExp(`^\\s+${row.replace(/[,/]/g, '\\$&')}\\s+[\\d,.]+\\s+[\\d,.]+\\s+(\\d+\\.\\d\\d)`, 'm').exec(table);
        expect(match, `${row} row in:\n${table}`).not.toBeNull();
        expect(Number(match![1])).toBeGreaterThan(0);
      }
    }
    expect(stdout).toMatch(/^Summary: node \/ \(MQTT\.js \+ bare work\) \d+\.\d\d; transport alone \/ bare MQTT\.js \d+\.\d\d;/m);
  });
});
