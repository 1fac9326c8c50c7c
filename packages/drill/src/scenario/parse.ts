import { parse as parseYaml } from 'yaml';
import { PRECEDENCES, type Precedence } from '@herald/core';
import { describe, Fields, ScenarioError } from './fields.js';
import { parseFaults } from './faults.js';
import { parseTargets } from './targets.js';
import { yamlLines } from './lines.js';
import { topologyChannels, type ChannelKind, type DrillPolicy, type LoadSpec, type NodeSpec, type Scenario, type Topology } from './types.js';

const HOUR = 3_600_000;
const NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** Drill defaults: short deadlines so a failover shows within seconds rather than the production minutes. */
const DEFAULT_POLICY: DrillPolicy = {
  ackDeadlineMs: { FLASH: 2_000, IMMEDIATE: 4_000, PRIORITY: 6_000, ROUTINE: 8_000 },
  sendTimeoutMs: 2_000,
  retryMinDelayMs: 100,
  maxBackoffMs: 2_000,
  breakerCooldownMs: 1_000,
  heartbeatMs: 500,
  pollMs: 200,
};

/** Parses and validates a scenario; every error names its field (`SCENARIO: load.rate: …`). */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  try {
    return parseScenarioFields(text, source);
  } catch (error) {
    if (!(error instanceof ScenarioError) || error.field === undefined) throw error;
    const line = yamlLines(text, source).get(error.field);
    if (line === undefined) throw error;
    throw new ScenarioError(`${error.message.replace(/^([^:]*):/, `$1, line ${line}:`)}`, error.field);
  }
}

function parseScenarioFields(text: string, source: string): Scenario {
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new ScenarioError(`${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const top = Fields.of(source, data);
  const name = top.string('name');
  if (!NAME.test(name)) throw new ScenarioError(`${top.at('name')}: expected lower-case letters, digits and dashes, got ${describe(name)}`);
  const description = top.has('description') ? top.string('description') : '';
  const topology = parseTopology(Fields.of(top.at('topology'), top.raw('topology') ?? {}));
  const nodes = parseNodes(top.list('nodes'), top.at('nodes'), topology);
  const names = new Set(nodes.map((node) => node.name));
  const policy = parsePolicy(Fields.of(top.at('policy'), top.raw('policy') ?? {}));
  const load = parseLoad(Fields.of(top.at('load'), top.raw('load')), names);
  const faults = parseFaults(top.list('faults', []), top.at('faults'), names, topology);
  const targets = parseTargets(top.list('targets', []), top.at('targets'), new Set(faults.map((fault) => fault.name)));
  const settleMs = top.duration('settle', HOUR, 60_000);
  top.done();
  for (const fault of faults) {
    if (fault.atMs > load.durationMs) throw new ScenarioError(`${top.at('faults')}: ${fault.name} at ${fault.atMs / 1000} s is after the load ends (${load.durationMs / 1000} s)`);
  }
  return { name, description, topology, nodes, policy, load, faults, targets, settleMs };
}

function parseTopology(fields: Fields): Topology {
  const email = fields.raw('email');
  const topology: Topology = {
    relay: fields.boolean('relay', true),
    relayCluster: fields.boolean('relayCluster', false),
    broker: fields.oneOf('broker', ['embedded', 'mosquitto', 'auto', 'none'], 'embedded'),
    email: email === true ? 'optional' : email === false || email === undefined ? 'off' : fields.oneOf('email', ['off', 'optional', 'required']),
    dir: fields.boolean('dir', true),
    bundle: fields.boolean('bundle', false),
  };
  fields.done();
  if (topology.relayCluster && !topology.relay) throw new ScenarioError(`${fields.at('relayCluster')}: a relay cluster needs relay: true`);
  return topology;
}

function parseNodes(list: readonly unknown[], path: string, topology: Topology): NodeSpec[] {
  if (list.length < 2 || list.length > 8) throw new ScenarioError(`${path}: expected 2 to 8 nodes, got ${list.length}`);
  const available = topologyChannels(topology);
  const seen = new Set<string>();
  return list.map((entry, index) => {
    const fields = Fields.of(`${path}[${index}]`, typeof entry === 'string' ? { name: entry } : entry);
    const name = fields.string('name');
    if (!NAME.test(name)) throw new ScenarioError(`${fields.at('name')}: expected lower-case letters, digits and dashes, got ${describe(name)}`);
    if (seen.has(name)) throw new ScenarioError(`${fields.at('name')}: ${name} is listed twice`);
    if (['relay', 'relay-b', 'nats', 'broker', 'mail'].includes(name)) throw new ScenarioError(`${fields.at('name')}: "${name}" names a service; choose another node name`);
    seen.add(name);
    let channels: ChannelKind[] | undefined;
    if (fields.has('channels')) {
      channels = fields.list('channels').map((kind, at) => {
        if (!available.includes(kind as ChannelKind)) throw new ScenarioError(`${fields.at('channels')}[${at}]: expected one of the topology's channels (${available.join(', ')}), got ${describe(kind)}`);
        return kind as ChannelKind;
      });
      if (channels.length === 0) throw new ScenarioError(`${fields.at('channels')}: a node needs at least one channel`);
    }
    fields.done();
    return { name, ...(channels ? { channels } : {}) };
  });
}

function parsePolicy(fields: Fields): DrillPolicy {
  const deadlines = Fields.of(fields.at('ackDeadline'), fields.raw('ackDeadline') ?? {});
  const ackDeadlineMs = { ...DEFAULT_POLICY.ackDeadlineMs };
  for (const precedence of PRECEDENCES) ackDeadlineMs[precedence] = deadlines.duration(precedence, HOUR, DEFAULT_POLICY.ackDeadlineMs[precedence]);
  deadlines.done();
  const policy: DrillPolicy = {
    ackDeadlineMs,
    sendTimeoutMs: fields.duration('sendTimeout', 300_000, DEFAULT_POLICY.sendTimeoutMs),
    retryMinDelayMs: fields.duration('retryMinDelay', 60_000, DEFAULT_POLICY.retryMinDelayMs),
    maxBackoffMs: fields.duration('maxBackoff', 600_000, DEFAULT_POLICY.maxBackoffMs),
    breakerCooldownMs: fields.duration('breakerCooldown', 600_000, DEFAULT_POLICY.breakerCooldownMs),
    heartbeatMs: fields.duration('heartbeat', 60_000, DEFAULT_POLICY.heartbeatMs),
    pollMs: fields.duration('poll', 60_000, DEFAULT_POLICY.pollMs),
  };
  fields.done();
  if (policy.heartbeatMs < 100) throw new ScenarioError(`${fields.at('heartbeat')}: at least 100ms`);
  if (policy.pollMs < 50) throw new ScenarioError(`${fields.at('poll')}: at least 50ms`);
  return policy;
}

function nodeList(fields: Fields, key: string, names: ReadonlySet<string>): string[] {
  const list = fields.has(key) ? fields.list(key) : [...names];
  return list.map((name, index) => {
    if (typeof name !== 'string' || !names.has(name)) throw new ScenarioError(`${fields.at(key)}[${index}]: expected a node name (${[...names].join(', ')}), got ${describe(name)}`);
    return name;
  });
}

function parseLoad(fields: Fields, names: ReadonlySet<string>): LoadSpec {
  const durationMs = fields.duration('duration', HOUR);
  if (durationMs < 1000) throw new ScenarioError(`${fields.at('duration')}: at least 1s`);
  const rate = fields.number('rate', 0.1, 1000);
  // Everything a drill records is held in memory until the verdict: keep a drill a drill, not a soak test.
  if ((rate * durationMs) / 1000 > 50_000) throw new ScenarioError(`${fields.at('rate')}: ${rate}/s for ${durationMs / 1000} s is more than 50000 messages`);
  const from = nodeList(fields, 'from', names);
  const to = nodeList(fields, 'to', names);
  const sizes = fields.list('sizes', [256]).map((size, index) => {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 64 || size > 1_048_576) throw new ScenarioError(`${fields.at('sizes')}[${index}]: expected a whole number of bytes from 64 to 1048576, got ${describe(size)}`);
    return size;
  });
  if (sizes.length === 0) throw new ScenarioError(`${fields.at('sizes')}: give at least one size`);
  const weights = Fields.of(fields.at('precedences'), fields.raw('precedences') ?? { ROUTINE: 1 });
  const precedences: Partial<Record<Precedence, number>> = {};
  for (const precedence of PRECEDENCES) if (weights.has(precedence)) precedences[precedence] = weights.number(precedence, 0, 1000);
  weights.done();
  if (Object.values(precedences).every((weight) => weight === 0)) throw new ScenarioError(`${fields.at('precedences')}: give at least one precedence a positive weight (${PRECEDENCES.join(', ')})`);
  const recipients = fields.number('recipients', 1, 7, 1);
  if (!Number.isInteger(recipients)) throw new ScenarioError(`${fields.at('recipients')}: expected a whole number`);
  fields.done();
  if (to.length < recipients) throw new ScenarioError(`${fields.at('recipients')}: ${recipients} recipients per message, but load.to names ${to.length}`);
  if (from.every((sender) => to.filter((name) => name !== sender).length < recipients)) throw new ScenarioError(`${fields.at('to')}: no sender has ${recipients} recipient(s) other than itself`);
  return { durationMs, rate, from, to, sizes, precedences, recipients };
}
