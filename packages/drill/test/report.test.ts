import { describe, expect, it } from 'vitest';
import { formatSummary, headlineFigures, junitXml, progressLine, renderHtml, type DrillResult } from '@herald/drill';
import { sample } from './sample.js';

/** The sample drill, failed: one message lost, a target missed, a hostile description. */
function failed(): DrillResult {
  const base = sample();
  return {
    ...base,
    scenario: { name: 'sample', description: '<script>alert(1)</script> & "quoted"' },
    exactlyOnce: { ...base.exactlyOnce, delivered: 239, lost: 1, problems: ['lost: ops-7 → field: never handed out (ROUTINE, accepted by relay)'] },
    failover: [{ fault: 'relay-cut', label: 'cut relay: blackhole', affects: ['relay'], atMs: 5000 }],
    targets: [
      { name: 'failover ≤ 5 s', metric: 'failover', ok: false, measured: 'no delivery over another channel after the fault', limit: 5000, unit: 'ms', fault: 'relay-cut' },
      { name: 'FLASH p99 ≤ 1 s', metric: 'latency', ok: false, measured: '2505 ms over 48 message(s)', value: 2505, limit: 1000, unit: 'ms', percentile: 99, precedence: 'FLASH' },
    ],
    failures: ['1 lost', '2 target(s) missed'],
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
    expect(text.split('\n')[0]).toBe('drill sample: FAILED (1 lost, 2 target(s) missed)');
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
    expect(html).toContain('<span class="fail">FAILED: 1 lost, 2 target(s) missed</span>');
    expect(html).toContain('<li>lost: ops-7 → field: never handed out (ROUTINE, accepted by relay)</li>');
  });
});

describe('what a team lead decides from', () => {
  it('a headline of delivered, lost, duplicated and each failover against its target, red where the drill fell short', () => {
    expect(headlineFigures(sample())).toEqual([
      { value: '240/240', label: 'delivered exactly once', ok: true },
      { value: '0', label: 'lost', ok: true },
      { value: '0', label: 'duplicated', ok: true },
      { value: '180 ms', label: 'failover after relay-cut (target ≤ 5 s)', ok: true },
      { value: '2/2', label: 'targets met', ok: true },
    ]);
    const failedFigures = headlineFigures(failed());
    expect(failedFigures.filter((figure) => !figure.ok).map((figure) => figure.label)).toEqual(['delivered exactly once', 'lost', 'failover after relay-cut (target ≤ 5 s)', 'targets met']);
    const html = renderHtml(failed());
    expect(html.indexOf('id="headline"')).toBeLessThan(html.indexOf('id="timeline"'));
    expect(html.match(/class="figure bad"/g)).toHaveLength(4);
    expect(html.match(/<tr class="missed">/g)).toHaveLength(2);
  });

  it('draws the failover and the latency targets on the timeline, and axes on every histogram', () => {
    const html = renderHtml(sample());
    expect(html).toMatch(/<line class="failover"[^>]*stroke-dasharray/);
    expect(html).toContain('failover → mqtt: 180 ms');
    expect(html).toMatch(/<line class="target"[^>]*stroke="#555"/);
    expect(html).toContain('FLASH p99 ≤ 3 s');
    expect(html.match(/>messages<\/text>/g)).toHaveLength(3);
    expect(html.match(/latency, send → application/g)).toHaveLength(3);
    const missed = renderHtml(failed());
    expect(missed).toMatch(/<line class="target"[^>]*stroke="#d62728"/);
    expect(missed).toContain('FLASH p99 ≤ 1 s (missed)');
    expect(missed).not.toContain('class="failover"');
  });

  it('keeps numbers as numbers in the JSON, with a schema version', () => {
    const json = JSON.parse(JSON.stringify(sample())) as DrillResult;
    expect(json.schemaVersion).toBe(2);
    expect(json.targets[0]).toMatchObject({ metric: 'failover', value: 180, limit: 5000, unit: 'ms' });
    expect(typeof json.targets[1]!.value).toBe('number');
  });

  it('writes a JUnit report: a case per judgement, failures with their reasons, everything escaped', () => {
    const passed = junitXml(sample());
    expect(passed).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="herald drill" tests="6" failures="0"/);
    expect(passed).not.toContain('<failure');
    const xml = junitXml({ ...failed(), scenario: { name: 'a<b&"c"', description: '' } });
    expect(xml).toContain('<testsuites name="herald drill" tests="6" failures="4"');
    expect(xml).toContain('<testsuite name="herald drill a&lt;b&amp;&quot;c&quot;"');
    expect(xml).toContain('name="nothing lost" time="0">\n      <failure message="1 lost of 240" type="drill">lost: ops-7 → field: never handed out (ROUTINE, accepted by relay)</failure>');
    expect(xml).toContain('<failure message="missed: 2505 ms over 48 message(s)" type="drill">');
    expect(xml).toContain('name="nothing duplicated" time="0"/>');
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml.match(/<\/testcase>/g)).toHaveLength(4);
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
