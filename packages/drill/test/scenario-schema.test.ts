import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, scenarioJsonSchema, ScenarioError } from '@herald/drill';

const committed = new URL('../../../docs/schemas/drill-scenario.schema.json', import.meta.url);
const examples = new URL('../../../examples/drills/', import.meta.url);
const base = 'name: t\nnodes: [a, b]\nload: { duration: 5s, rate: 2 }\n';

describe('the drill scenario JSON Schema (docs/schemas/drill-scenario.schema.json)', () => {
  it('is what scripts/emit-schemas.mjs writes from ScenarioFileSchema now (run it after changing a field)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  });

  it('is named by every example scenario, each of which parses', () => {
    const files = readdirSync(examples).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const text = readFileSync(new URL(file, examples), 'utf8');
      expect(text.split('\n')[0], file).toBe('# yaml-language-server: $schema=../../docs/schemas/drill-scenario.schema.json');
      expect(() => parseScenario(text, file), file).not.toThrow();
    }
  });
});

describe('scenario fields, checked from their schema', () => {
  it.each([
    [`${base}faults: [{ at: 1s, cut: { channel: relay, delay: 1s } }]`, 'scenario.faults[0].cut, line 4: unknown field "delay" (it goes with mode: delay)'],
    [`${base}faults: [{ at: 1s, cut: { channel: relay }, restart: 1s }]`, 'scenario.faults[0].restart, line 4: only with kill'],
    [`${base}targets: [{ metric: failover, fault: x, max: 1s, percentile: 99 }]`, 'scenario.targets[0], line 4: unknown field "percentile" for metric failover'],
    ['name: t\nnodes: [a, { name: b, channels: [relay, fax] }]\nload: { duration: 5s, rate: 2 }', 'scenario.nodes[1].channels[1]: expected one of relay, mqtt, email, dir, bundle, got "fax"'],
    ['name: t\nnodes: [a, b]\nload: { duration: 5s, rate: 2, recipients: 1.5 }', 'scenario.load.recipients: expected a whole number from 1 to 7, got 1.5'],
    ['name: t\nnodes: [a, b]\nload: { duration: 5s, rate: fast }', 'scenario.load.rate: expected a number from 0.1 to 1000, got "fast"'],
    ['name: t\nnodes: [a, b]\ntopology: { email: maybe }\nload: { duration: 5s, rate: 2 }', 'scenario.topology.email: expected one of off, optional, required, true, false, got "maybe"'],
    ['name: t\nnodes: [a, b]', 'scenario.load: expected a mapping with duration and rate, got nothing'],
  ])('refuses %j', (text, message) => {
    expect(() => parseScenario(text)).toThrow(ScenarioError);
    expect(() => parseScenario(text)).toThrow(message);
  });
});
