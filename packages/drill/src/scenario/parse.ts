import { parse as parseYaml } from 'yaml';
import { PRECEDENCES, type Precedence } from '@herald/core';
import { checkShape, describe, parseDuration, ScenarioError } from './fields.js';
import { parseFaults } from './faults.js';
import { parseTargets } from './targets.js';
import { yamlLines } from './lines.js';
import { NAME_PATTERN, ScenarioFileSchema, type ScenarioFile } from './schema.js';
import { topologyChannels, type ChannelKind, type DrillPolicy, type DrillPrekeys, type LoadSpec, type NodeSpec, type Scenario, type Topology } from './types.js';

const HOUR = 3_600_000;
const NAME = new RegExp(NAME_PATTERN);
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
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ScenarioError(`${source}: expected a mapping, got ${describe(data)}`);
  // The shape first (types, ranges, unknown fields), from the one schema; then what it means.
  checkShape(ScenarioFileSchema, data, source);
  const file = data as ScenarioFile;
  const topology = parseTopology(file.topology ?? {}, `${source}.topology`);
  const nodes = parseNodes(file.nodes, `${source}.nodes`, topology);
  const names = new Set(nodes.map((node) => node.name));
  const policy = parsePolicy(file.policy ?? {}, `${source}.policy`);
  const load = parseLoad(file.load, `${source}.load`, names);
  const faults = parseFaults(file.faults ?? [], `${source}.faults`, names, topology);
  const targets = parseTargets(file.targets ?? [], `${source}.targets`, faults);
  const settleMs = file.settle === undefined ? 60_000 : parseDuration(file.settle, `${source}.settle`, HOUR);
  const prekeys = file.prekeys ? parsePrekeys(file.prekeys, `${source}.prekeys`) : undefined;
  for (const fault of faults) {
    if (fault.atMs > load.durationMs) throw new ScenarioError(`${source}.faults: ${fault.name} at ${fault.atMs / 1000} s is after the load ends (${load.durationMs / 1000} s)`);
    // Messages to or from a revoked key are refused for good: the load would count them lost.
    const revoked = fault.action.kind === 'revoke' ? fault.action.target : undefined;
    if (revoked && (load.from.includes(revoked) || load.to.includes(revoked))) throw new ScenarioError(`${source}.faults: ${fault.name} revokes ${revoked}, which is in the load (load.from, load.to): its messages would be refused`);
  }
  for (const target of targets) {
    if (target.metric === 'revocation' && faults.find((fault) => fault.name === target.fault)?.action.kind !== 'revoke') throw new ScenarioError(`${source}.targets: ${target.name}: fault ${target.fault} is not a revoke fault`);
  }
  if (faults.some((fault) => fault.action.kind === 'seize') && !prekeys) throw new ScenarioError(`${source}.faults: a seize fault needs prekeys: (nodes without prekey stores seal everything v1)`);
  return { name: file.name, description: file.description ?? '', topology, nodes, policy, load, faults, targets, settleMs, ...(prekeys ? { prekeys } : {}) };
}

/** `prekeys: { every: 2s, sealFor: 60s, openFor: 60s }`: core's bounds (every ≥ 1 s; sealFor, openFor ≥ 60 s). */
function parsePrekeys(file: NonNullable<ScenarioFile['prekeys']>, path: string): DrillPrekeys {
  const seconds = (key: 'every' | 'sealFor' | 'openFor', fallback: number, min: number): number => {
    const raw = file[key];
    const value = raw === undefined ? fallback : parseDuration(raw, `${path}.${key}`, HOUR) / 1000;
    if (!Number.isInteger(value) || value < min) throw new ScenarioError(`${path}.${key}: expected whole seconds, at least ${min} s`, `${path}.${key}`);
    return value;
  };
  return { everySeconds: seconds('every', 2, 1), sealForSeconds: seconds('sealFor', 60, 60), openForSeconds: seconds('openFor', 60, 60) };
}

function parseTopology(file: NonNullable<ScenarioFile['topology']>, path: string): Topology {
  const email = file.email;
  const topology: Topology = {
    relay: file.relay ?? true,
    relayCluster: file.relayCluster ?? false,
    broker: file.broker ?? 'embedded',
    email: email === true ? 'optional' : email === false || email === undefined ? 'off' : email,
    dir: file.dir ?? true,
    bundle: file.bundle ?? false,
  };
  if (topology.relayCluster && !topology.relay) throw new ScenarioError(`${path}.relayCluster: a relay cluster needs relay: true`, `${path}.relayCluster`);
  return topology;
}

function parseNodes(list: ScenarioFile['nodes'], path: string, topology: Topology): NodeSpec[] {
  if (list.length < 2 || list.length > 8) throw new ScenarioError(`${path}: expected 2 to 8 nodes, got ${list.length}`);
  const available = topologyChannels(topology);
  const seen = new Set<string>();
  return list.map((entry, index) => {
    const spec = typeof entry === 'string' ? { name: entry } : entry;
    const at = `${path}[${index}]`;
    const name = spec.name;
    if (!NAME.test(name)) throw new ScenarioError(`${at}.name: expected lower-case letters, digits and dashes, got ${describe(name)}`);
    if (seen.has(name)) throw new ScenarioError(`${at}.name: ${name} is listed twice`);
    if (['relay', 'relay-b', 'nats', 'broker', 'mail'].includes(name)) throw new ScenarioError(`${at}.name: "${name}" names a service; choose another node name`);
    seen.add(name);
    let channels: ChannelKind[] | undefined;
    if (spec.channels !== undefined) {
      channels = spec.channels.map((kind, position) => {
        if (!available.includes(kind)) throw new ScenarioError(`${at}.channels[${position}]: expected one of the topology's channels (${available.join(', ')}), got ${describe(kind)}`);
        return kind;
      });
      if (channels.length === 0) throw new ScenarioError(`${at}.channels: a node needs at least one channel`);
    }
    return { name, ...(channels ? { channels } : {}) };
  });
}

function parsePolicy(file: NonNullable<ScenarioFile['policy']>, path: string): DrillPolicy {
  const ackDeadlineMs = { ...DEFAULT_POLICY.ackDeadlineMs };
  for (const precedence of PRECEDENCES) {
    const given = file.ackDeadline?.[precedence];
    if (given !== undefined) ackDeadlineMs[precedence] = parseDuration(given, `${path}.ackDeadline.${precedence}`, HOUR);
  }
  const duration = (key: 'sendTimeout' | 'retryMinDelay' | 'maxBackoff' | 'breakerCooldown' | 'heartbeat' | 'poll', maxMs: number, fallback: number): number => {
    const given = file[key];
    return given === undefined ? fallback : parseDuration(given, `${path}.${key}`, maxMs);
  };
  const policy: DrillPolicy = {
    ackDeadlineMs,
    sendTimeoutMs: duration('sendTimeout', 300_000, DEFAULT_POLICY.sendTimeoutMs),
    retryMinDelayMs: duration('retryMinDelay', 60_000, DEFAULT_POLICY.retryMinDelayMs),
    maxBackoffMs: duration('maxBackoff', 600_000, DEFAULT_POLICY.maxBackoffMs),
    breakerCooldownMs: duration('breakerCooldown', 600_000, DEFAULT_POLICY.breakerCooldownMs),
    heartbeatMs: duration('heartbeat', 60_000, DEFAULT_POLICY.heartbeatMs),
    pollMs: duration('poll', 60_000, DEFAULT_POLICY.pollMs),
  };
  if (policy.heartbeatMs < 100) throw new ScenarioError(`${path}.heartbeat: at least 100ms`);
  if (policy.pollMs < 50) throw new ScenarioError(`${path}.poll: at least 50ms`);
  return policy;
}

function nodeList(given: readonly string[] | undefined, path: string, names: ReadonlySet<string>): string[] {
  return (given ?? [...names]).map((name, index) => {
    if (!names.has(name)) throw new ScenarioError(`${path}[${index}]: expected a node name (${[...names].join(', ')}), got ${describe(name)}`);
    return name;
  });
}

function parseLoad(file: ScenarioFile['load'], path: string, names: ReadonlySet<string>): LoadSpec {
  const durationMs = parseDuration(file.duration, `${path}.duration`, HOUR);
  if (durationMs < 1000) throw new ScenarioError(`${path}.duration: at least 1s`);
  const rate = file.rate;
  // Everything a drill records is held in memory until the verdict: keep a drill a drill, not a soak test.
  if ((rate * durationMs) / 1000 > 50_000) throw new ScenarioError(`${path}.rate: ${rate}/s for ${durationMs / 1000} s is more than 50000 messages`);
  const from = nodeList(file.from, `${path}.from`, names);
  const to = nodeList(file.to, `${path}.to`, names);
  const sizes = [...(file.sizes ?? [256])];
  if (sizes.length === 0) throw new ScenarioError(`${path}.sizes: give at least one size`);
  const weights = file.precedences ?? { ROUTINE: 1 };
  const precedences: Partial<Record<Precedence, number>> = {};
  for (const precedence of PRECEDENCES) if (weights[precedence] !== undefined) precedences[precedence] = weights[precedence];
  if (Object.values(precedences).every((weight) => weight === 0)) throw new ScenarioError(`${path}.precedences: give at least one precedence a positive weight (${PRECEDENCES.join(', ')})`);
  const recipients = file.recipients ?? 1;
  if (to.length < recipients) throw new ScenarioError(`${path}.recipients: ${recipients} recipients per message, but load.to names ${to.length}`);
  if (from.every((sender) => to.filter((name) => name !== sender).length < recipients)) throw new ScenarioError(`${path}.to: no sender has ${recipients} recipient(s) other than itself`);
  return { durationMs, rate, from, to, sizes, precedences, recipients };
}
