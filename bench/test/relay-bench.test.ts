import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../dist/relay.js', import.meta.url));

describe('bench:relay', () => {
  it('runs (--quick) and prints each figure beside its baseline with a ratio', async () => {
    // Compared with a build of the relay: this one's own, so the comparison's rows and ratio are printed.
    const env = { ...process.env, HERALD_BENCH_COMPARE_RELAY: createRequire(import.meta.url).resolve('@herald/relay/bin') };
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--quick'], { timeout: 120_000, env });
    const labels = ['relay (durable mailbox, default settings)', 'relay, frames unpadded (padding off)', 'relay writing every envelope (writeBehindMs 0)', 'bare ws forwarder (no storage, no acks)', 'bare ws forwarder passing receipts back'];
    for (const label of labels) {
      // envelopes/s, its ratio, p50 ms, p99 ms, the p99 ratio
      const escaped = label.replace(/[()]/g, '\\$&');
      const match = new RegExp(`^\\s+${escaped}\\s+([\\d,]+)\\s+(\\d+\\.\\d\\d).*?\\s([\\d,.]+)\\s+([\\d,.]+)\\s+(\\d+\\.\\d\\d)`, 'm').exec(stdout);
      expect(match, `${label} row in:\n${stdout}`).not.toBeNull();
      for (const figure of match!.slice(1)) expect(Number(figure!.replace(/,/g, ''))).toBeGreaterThan(0);
    }
    expect(stdout).toMatch(/bare ws forwarder \(no storage, no acks\)\s+[\d,]+\s+1\.00/);
    // The spread behind the medians: each contender's rounds and costs, and the relay's ratio round by round.
    for (const label of labels) expect(stdout).toMatch(new RegExp(`^  ${label.replace(/[()]/g, '\\$&')}\\s+[\\d,]+ envelopes/s \\([\\d,]+–[\\d,]+\\); CPU per 1 000: server [\\d,]+ ms, sender\\+receiver [\\d,]+ ms; other load \\d+\\.\\d\\d \\(rounds`, 'm'));
    expect(stdout).toMatch(/relay, frames unpadded \(padding off\) ÷ bare forwarder, round by round: throughput \d+\.\d\d/);
    expect(stdout).toMatch(/relay \(durable mailbox, default settings\) ÷ bare forwarder, round by round: throughput \d+\.\d\d \(rounds \d+\.\d\d–\d+\.\d\d\), p99 \d+\.\d\d/);
    expect(stdout).toMatch(/^  HERALD_BENCH_COMPARE_RELAY \(default settings\)\s+[\d,]+\s+\d+\.\d\d/m);
    expect(stdout).toMatch(/this relay ÷ HERALD_BENCH_COMPARE_RELAY, round by round: throughput \d+\.\d\d \(rounds \d+\.\d\d–\d+\.\d\d\)/);
    expect(stdout).toMatch(/relay \(default\): of [\d,]+ envelopes deposited .*, [\d,]+ \(\d+ %\) were acknowledged/);
    expect(stdout).toMatch(/messages\/s [\d,]+ .* beside bare libsodium seal\+open work [\d,]+\/s: ratio \d+\.\d\d/);
    expect(stdout).toMatch(/HERALD_BENCH_COMPARE_RELAY [\d.]+ KiB\s+this relay ÷ it \d+\.\d\d/);
    expect(stdout).toMatch(/relay \(authenticated, collecting\) [\d.]+ KiB\s+bare ws [\d.]+ KiB\s+ratio \d+\.\d\d/);
  });
});
