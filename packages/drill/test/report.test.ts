import { describe, expect, it } from 'vitest';
import { formatSummary, progressLine, renderHtml, type DrillResult } from '@herald/drill';
import { sample } from './sample.js';

/** The sample drill, failed: one message lost, a target missed, a hostile description. */
function failed(): DrillResult {
  const base = sample();
  return {
    ...base,
    scenario: { name: 'sample', description: '<script>alert(1)</script> & "quoted"' },
    exactlyOnce: { ...base.exactlyOnce, delivered: 239, lost: 1, problems: ['lost: ops-7 → field: never handed out (ROUTINE, accepted by relay)'] },
    targets: [{ name: 'failover ≤ 5 s', ok: false, measured: 'no delivery over another channel after the fault' }],
    failures: ['1 lost', '1 target(s) missed'],
    passed: false,
  };
}

describe('terminal summary', () => {
  it('leads with the verdict, then exactly-once, latency, failover, retransmissions, bytes and targets', () => {
    const lines = formatSummary(sample()).split('\n');
    expect(lines[0]).toBe('drill sample: PASSED');
    const text = lines.join('\n');
    expect(text).toContain('240/240 delivered exactly once to the application, 0 lost, 0 duplicated, 1 handed out again after a receiver crash before its ack (allowed)');
    expect(text).toMatch(/all channels \/ all +240 +200 ms +390 ms +2600 ms +2900 ms/);
    expect(text).toContain('failover after relay-cut: 180 ms (next delivery via mqtt)');
    expect(text).toContain('retransmissions: 10 of 240 message(s) accepted more than once (12 extra acceptances');
    expect(text).toContain('bytes: relay 1.0 KiB sent (2.4 KiB on the wire)');
    expect(text).toContain('target met: failover ≤ 5 s — 180 ms');
  });

  it('says why a drill failed: the reasons on the first line, each lost message and each missed target', () => {
    const text = formatSummary(failed());
    expect(text.split('\n')[0]).toBe('drill sample: FAILED (1 lost, 1 target(s) missed)');
    expect(text).toContain('    lost: ops-7 → field: never handed out (ROUTINE, accepted by relay)');
    expect(text).toContain('target MISSED: failover ≤ 5 s — no delivery over another channel after the fault');
  });
});

describe('HTML report', () => {
  it('is self-contained: no script, nothing loaded from anywhere, and a policy that forbids it', () => {
    const html = renderHtml(sample());
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\ssrc=|\shref=/i);
    expect(html).toContain('<svg id="timeline"');
    expect(html.match(/<svg class="histogram"/g)).toHaveLength(3);
  });

  it('escapes what the scenario says and names why it failed', () => {
    const html = renderHtml(failed());
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quoted&#34;');
    expect(html).toContain('<span class="fail">FAILED: 1 lost, 1 target(s) missed</span>');
    expect(html).toContain('<li>lost: ops-7 → field: never handed out (ROUTINE, accepted by relay)</li>');
  });
});

describe('progress line', () => {
  /** A stand-in for process.stdout that records what is written. */
  function stream(isTTY: boolean, columns: number): NodeJS.WriteStream & { written: string } {
    const fake = { isTTY, columns, written: '', write(text: string) { fake.written += text; return true; } };
    return fake as unknown as NodeJS.WriteStream & { written: string };
  }

  it('is drawn only on a terminal, in place, and cleared at the end', () => {
    expect(progressLine(stream(false, 120))).toBeUndefined();
    const tty = stream(true, 120);
    const line = progressLine(tty)!;
    line.update('1.0s/15s  sent 5  delivered 4  relay 4');
    line.update('1.5s/15s  sent 7  delivered 7  relay 7');
    line.clear();
    expect(tty.written).toBe('\r\x1b[K1.0s/15s  sent 5  delivered 4  relay 4\r\x1b[K1.5s/15s  sent 7  delivered 7  relay 7\r\x1b[K');
  });

  it('fits the terminal, and a pseudo-terminal that reports 0 columns still gets a readable line', () => {
    const narrow = stream(true, 30);
    progressLine(narrow)!.update('x'.repeat(200));
    expect(narrow.written).toBe(`\r\x1b[K${'x'.repeat(29)}`);
    const unsized = stream(true, 0);
    progressLine(unsized)!.update('12.5s/15s  sent 60  delivered 58  relay 30 mqtt 28  [relay-cut]');
    expect(unsized.written).toBe('\r\x1b[K12.5s/15s  sent 60  delivered 58  relay 30 mqtt 28  [relay-cut]');
  });
});
