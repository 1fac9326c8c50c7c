import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples/relay-demo (pnpm demo)', () => {
  it('starts a real relay, stores a message for an offline recipient, delivers it and brings the ack back', async () => {
    const script = fileURLToPath(new URL('../dist/demo.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 45_000 });
    expect(stdout).toMatch(/Relay started: ws:\/\/127\.0\.0\.1:\d+\//);
    expect(stdout).toContain('The relay holds 1 envelope for Bob');
    expect(stdout).toContain('Bob reads: "Evacuate sector 4 by 18:00. Acknowledge."');
    expect(stdout).toMatch(/from Alice \(ops room\) \[[0-9A-Z ]{29}\], FLASH/);
    expect(stdout).toContain("Alice's message is delivered");
    expect(stdout).toContain('The relay now holds 0 envelopes');
    expect(stdout).toContain('Relay stopped gracefully (exit 0)');
  });
});
