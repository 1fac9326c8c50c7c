import { describe, expect, it } from 'vitest';
import { parseDuration, parseScenario, ScenarioError } from '@herald/drill';

const base = `
name: t
nodes: [a, b]
load: { duration: 5s, rate: 2 }
`;

describe('scenario parsing', () => {
  it('fills in defaults', () => {
    const scenario = parseScenario(base);
    expect(scenario.topology).toEqual({ relay: true, relayCluster: false, broker: 'embedded', email: 'off', dir: true, bundle: false });
    expect(scenario.load).toMatchObject({ durationMs: 5000, rate: 2, from: ['a', 'b'], to: ['a', 'b'], sizes: [256], precedences: { ROUTINE: 1 }, recipients: 1 });
    expect(scenario.policy.ackDeadlineMs.FLASH).toBe(2000);
    expect(scenario.settleMs).toBe(60_000);
  });

  it('reads faults and targets', () => {
    const scenario = parseScenario(`${base}
faults:
  - { name: cut, at: 1s, cut: { channel: relay, mode: delay, delay: 250ms, for: 2s, nodes: [b] } }
  - { at: 2s, kill: relay, restart: 1s }
  - { at: 3s, flap: { channel: mqtt, down: 200ms, up: 300ms, for: 1s } }
  - { at: 4s, blackout: { for: 1s } }
targets:
  - { metric: failover, fault: cut, max: 3s }
  - { metric: latency, precedence: FLASH, percentile: 99, max: 1.5s, during: cut }
`);
    expect(scenario.faults.map((fault) => fault.name)).toEqual(['cut', 'kill-2', 'flap-3', 'blackout-4']);
    expect(scenario.faults[0]!.action).toEqual({ kind: 'cut', channel: 'relay', nodes: ['b'], mode: 'delay', delayMs: 250, forMs: 2000 });
    expect(scenario.faults[2]!.action).toMatchObject({ kind: 'flap', mode: 'reset', downMs: 200, upMs: 300, forMs: 1000 });
    const satellite = parseScenario(`${base}faults: [{ at: 0s, blackout: { mode: delay, delay: 600ms, loss: 0.02 } }]`, 'sat.yaml');
    expect(satellite.faults[0]!.action).toEqual({ kind: 'blackout', mode: 'delay', delayMs: 600, lossRate: 0.02 });
    expect(scenario.targets[1]).toMatchObject({ metric: 'latency', precedence: 'FLASH', percentile: 99, maxMs: 1500, during: 'cut' });
  });

  it('reads the satellite goals: first delivery, latency plus round trips of the slowest delayed link, extra acceptances', () => {
    const scenario = parseScenario(`${base}faults:
  - { at: 0s, cut: { channel: mqtt, mode: delay, delay: 200ms } }
  - { at: 0s, blackout: { mode: delay, delay: 600ms, loss: 0.02 } }
targets:
  - { metric: first-delivery, max: 5s }
  - { metric: latency, precedence: FLASH, percentile: 99, max: 3s, roundTrips: 2 }
  - { metric: extra-acceptances, maxRatio: 0.1 }
`);
    expect(scenario.targets).toEqual([
      { metric: 'first-delivery', maxMs: 5_000, name: 'first delivery to an application ≤ 5 s after the start' },
      // Two round trips of the 600 ms link (1.2 s each), not of the 200 ms one.
      { metric: 'latency', precedence: 'FLASH', percentile: 99, maxMs: 5_400, name: 'FLASH p99 ≤ 3 s + 2 round trip(s) of 1.2 s = 5.4 s' },
      { metric: 'extra-acceptances', maxRatio: 0.1, name: 'extra acceptances ≤ 10 % of messages' },
    ]);
  });

  it.each([
    ['name: t\nnodes: [a]\nload: { duration: 5s, rate: 1 }', 'scenario.nodes: expected 2 to 8 nodes, got 1'],
    [`${base}extra: 1`, 'scenario, line 5: unknown field "extra"'],
    [`${base}faults:\n  - { at: 1s, cutt: { channel: relay } }`, 'scenario.faults[0], line 6: unknown field "cutt" (did you mean "cut"?)'],
    [`${base}faults: [{ at: 1s, cut: { channel: relay, mode: blackhol } }]`, 'scenario.faults[0].cut.mode: expected one of blackhole, reset, delay, bandwidth, drop, got "blackhol"'],
    [`${base}faults: [{ at: 1s, cut: { channel: relay, mode: delay, delay: 600ms, loss: 0.9 } }]`, 'scenario.faults[0].cut.loss: expected a number from 0 to 0.5, got 0.9'],
    [`${base}faults: [{ at: 1s, cut: { channel: relay, mode: drop, drop: 0.1, loss: 0.1 } }]`, 'unknown field "loss"'],
    [`${base}faults: [{ at: 1s, cut: { channel: email } }]`, 'scenario.faults[0].cut.channel: expected one of relay, mqtt, got "email"'],
    [`${base}faults: [{ at: 1s, kill: c }]`, 'scenario.faults[0].kill: expected relay, broker, a, b, got "c"'],
    [`${base}faults: [{ at: 9s, kill: relay }]`, 'after the load ends'],
    [`${base}faults: [{ at: 1s }]`, 'expected exactly one of kill, cut, flap, blackout, courier, revoke, seize, got none'],
    [`${base}faults: [{ at: 1s, seize: c }]`, 'scenario.faults[0].seize: expected a node name (a, b), got "c"'],
    [`${base}faults: [{ at: 1s, seize: b }]`, 'a seize fault needs prekeys:'],
    [`${base}prekeys: { sealFor: 30s }`, 'scenario.prekeys.sealFor, line 5: expected whole seconds, at least 60 s'],
    [`${base}prekeys: { every: 1.5s }`, 'scenario.prekeys.every, line 5: expected whole seconds, at least 1 s'],
    [`${base}faults: [{ at: 1s, revoke: { node: a, by: a } }]`, 'the operator (by) cannot be the node revoked'],
    [`${base}faults: [{ at: 1s, revoke: { node: c, by: a } }]`, 'scenario.faults[0].revoke.node: expected a node name (a, b), got "c"'],
    [`${base}faults: [{ at: 1s, revoke: { node: b, by: a, reason: stolen } }]`, 'scenario.faults[0].revoke.reason: expected one of lost, compromised, got "stolen"'],
    [`${base}faults: [{ at: 1s, revoke: { node: b, by: a } }]`, 'revokes b, which is in the load'],
    [`${base}faults: [{ name: cut, at: 1s, cut: { channel: relay } }]\ntargets: [{ metric: revocation, fault: cut, max: 1s }]`, 'fault cut is not a revoke fault'],
    [`${base}faults: [{ at: 1s, courier: { from: a, to: b } }]`, 'a courier run needs topology.bundle: true'],
    [`${base}targets: [{ metric: failover, fault: nope, max: 1s }]`, 'scenario.targets[0].fault: no fault is named "nope"'],
    [`${base}targets: [{ metric: latency, max: 3s, roundTrips: 2 }]`, 'scenario.targets[0].roundTrips, line 5: no fault delays a link (mode delay), so there is no round trip to add'],
    [`${base}faults: [{ at: 1s, blackout: { mode: delay, delay: 1s } }]\ntargets: [{ metric: latency, max: 3s, roundTrips: 1.5 }]`, 'scenario.targets[0].roundTrips: expected a whole number from 1 to 100, got 1.5'],
    [`${base}targets: [{ metric: extra-acceptances }]`, 'scenario.targets[0].maxRatio: expected a number from 0 to 100, got nothing'],
    [`${base}targets: [{ metric: extra-acceptances, maxRatio: 0.1, max: 1s }]`, 'unknown field "max" for metric extra-acceptances'],
    [`${base}targets: [{ metric: first-delivery, max: 1s, roundTrips: 1 }]`, 'unknown field "roundTrips" for metric first-delivery'],
    ['name: t\nnodes: [a, b]\nload: { duration: soon, rate: 1 }', 'scenario.load.duration: expected a duration such as 500ms, 3s or 1m, got "soon"'],
    ['name: t\nnodes: [a, b]\nload: { duration: 5s, rate: 1, sizes: [10] }', 'scenario.load.sizes[0]: expected a whole number of bytes from 64 to 1048576, got 10'],
    ['name: t\nnodes: [a, b]\nload: { duration: 5s, rate: 1, precedences: { URGENT: 1 } }', 'scenario.load.precedences, line 3: unknown field "URGENT"'],
    ['name: t\nnodes: [a, a]\nload: { duration: 5s, rate: 1 }', 'scenario.nodes[1].name: a is listed twice'],
    ['name: [', 'scenario: not valid YAML'],
  ])('refuses %j', (text, message) => {
    expect(() => parseScenario(text)).toThrow(ScenarioError);
    expect(() => parseScenario(text)).toThrow(message);
  });

  it('reads a revoke fault and its revocation target', () => {
    const scenario = parseScenario(`
name: t
nodes: [a, b, c]
load: { duration: 5s, rate: 2, from: [a, b], to: [a, b] }
faults: [{ name: seized, at: 1s, revoke: { node: c, by: a } }]
targets: [{ metric: revocation, fault: seized, max: 2s }]
`);
    expect(scenario.faults).toEqual([{ name: 'seized', atMs: 1000, action: { kind: 'revoke', target: 'c', by: 'a', reason: 'compromised' } }]);
    expect(scenario.targets).toEqual([{ metric: 'revocation', fault: 'seized', maxMs: 2000, name: 'every node refuses the key revoked by seized ≤ 2 s' }]);
  });

  it('reads a seize fault and the prekey schedule it needs', () => {
    const scenario = parseScenario(`${base}prekeys: { every: 2s, openFor: 90s }\nfaults: [{ at: 2s, seize: b }]\n`);
    expect(scenario.prekeys).toEqual({ everySeconds: 2, sealForSeconds: 60, openForSeconds: 90 });
    expect(scenario.faults).toEqual([{ name: 'seize-1', atMs: 2000, action: { kind: 'seize', target: 'b' } }]);
    expect(parseScenario(base).prekeys).toBeUndefined();
  });

  it('parses durations', () => {
    expect(parseDuration('250ms', 'x', 1e6)).toBe(250);
    expect(parseDuration('1.5s', 'x', 1e6)).toBe(1500);
    expect(parseDuration('2m', 'x', 1e6)).toBe(120_000);
    expect(parseDuration(3, 'x', 1e6)).toBe(3000);
    expect(parseDuration('1h', 'x', 4e6)).toBe(3_600_000);
    expect(() => parseDuration('2h', 'x', 1e6)).toThrow('x: 2h is out of range (0 to 1000 s)');
    expect(() => parseDuration('2y', 'x', 1e6)).toThrow('x: expected a duration');
  });
});
