import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERTS_FILE } from './prometheus-process.js';

const TESTS_FILE = fileURLToPath(new URL('../../../deploy/prometheus/alerts.test.yml', import.meta.url));
const OPERATIONS = fileURLToPath(new URL('../../../docs/operations.md', import.meta.url));

interface Rule {
  readonly alert: string;
  readonly annotations?: { readonly runbook_url?: string };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string): string => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

describe('the shipped Prometheus alerting rules', () => {
  it('pass promtool check and every unit test in alerts.test.yml (promtool test rules)', async () => {
    const run = promisify(execFile);
    const checked = await run('promtool', ['check', 'rules', ALERTS_FILE]);
    expect(checked.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const tested = await run('promtool', ['test', 'rules', TESTS_FILE]).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: `${error.stdout}${error.stderr}`, stderr: '' }));
    expect(tested.stdout).toContain('SUCCESS');
    expect(tested.stdout).not.toContain('FAILED');
  });

  it('has, for every alert, a promtool test case and a runbook section in docs/operations.md', async () => {
    const rules = (parse(await readFile(ALERTS_FILE, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);
    const tests = parse(await readFile(TESTS_FILE, 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] };
    const cases = tests.tests.flatMap((test) => test.alert_rule_test);
    const headings = new Set((await readFile(OPERATIONS, 'utf8')).split('\n').filter((line) => line.startsWith('#')).map((line) => anchor(line.replace(/^#+/, ''))));
    expect(rules.length).toBeGreaterThanOrEqual(8);
    for (const rule of rules) {
      // One case where it fires, one where it must not.
      expect(cases.some((entry) => entry.alertname === rule.alert && entry.exp_alerts.length > 0), `${rule.alert} fires in a test`).toBe(true);
      expect(cases.some((entry) => entry.alertname === rule.alert && entry.exp_alerts.length === 0), `${rule.alert} stays quiet in a test`).toBe(true);
      const runbook = rule.annotations?.runbook_url ?? '';
      expect(runbook, `${rule.alert} runbook`).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      expect(headings.has(rule.alert.toLowerCase()), `docs/operations.md has a "${rule.alert}" heading`).toBe(true);
    }
  });
});
