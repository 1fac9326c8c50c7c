import { describe, optionalDuration, parseDuration, ScenarioError } from './fields.js';
import type { FaultEntry } from './schema.js';
import { NETWORK_CHANNELS, topologyChannels, type ChannelKind, type CutMode, type Fault, type FaultAction, type LinkFault, type Topology } from './types.js';

const HOUR = 3_600_000;
const KINDS = ['kill', 'cut', 'flap', 'blackout', 'courier', 'revoke', 'seize'] as const;
/** The field each link mode takes; the others' fields are refused, so a misplaced one never goes unnoticed. */
const MODE_FIELDS = { delay: 'delay', bandwidth: 'bandwidth', drop: 'drop' } as const;

/** `faults:` — each entry has `at`, an optional `name`, and exactly one of kill, cut, flap, blackout, courier, revoke, seize. */
export function parseFaults(list: readonly FaultEntry[], path: string, nodes: ReadonlySet<string>, topology: Topology): Fault[] {
  const names = new Set<string>();
  return list.map((entry, index) => {
    const at = `${path}[${index}]`;
    const atMs = parseDuration(entry.at, `${at}.at`, HOUR);
    const present = KINDS.filter((kind) => entry[kind] !== undefined);
    if (present.length !== 1) throw new ScenarioError(`${at}: expected exactly one of ${KINDS.join(', ')}, got ${present.length === 0 ? 'none' : present.join(' and ')}`);
    const kind = present[0]!;
    if (entry.restart !== undefined && kind !== 'kill') throw new ScenarioError(`${at}.restart: only with kill`, `${at}.restart`);
    const action = parseAction(kind, entry, at, nodes, topology);
    const name = entry.name ?? `${kind}-${index + 1}`;
    if (names.has(name)) throw new ScenarioError(`${at}.name: ${name} is used twice`);
    names.add(name);
    return { name, atMs, action };
  });
}

function parseAction(kind: (typeof KINDS)[number], entry: FaultEntry, at: string, nodes: ReadonlySet<string>, topology: Topology): FaultAction {
  if (kind === 'kill') {
    const target = entry.kill!;
    const services = [...(topology.relay ? ['relay'] : []), ...(topology.relayCluster ? ['relay-b', 'nats'] : []), ...(topology.broker !== 'none' ? ['broker'] : [])];
    if (!services.includes(target) && !nodes.has(target)) throw new ScenarioError(`${at}.kill: expected ${[...services, ...nodes].join(', ')}, got ${describe(target)}`);
    const restartAfterMs = optionalDuration(entry.restart, `${at}.restart`, HOUR);
    return { kind, target, ...(restartAfterMs !== undefined ? { restartAfterMs } : {}) };
  }
  if (kind === 'seize') return { kind, target: checkNode(entry.seize!, `${at}.seize`, nodes) };
  if (kind === 'revoke') {
    const { node, by, reason } = entry.revoke!;
    const target = checkNode(node, `${at}.revoke.node`, nodes);
    const operator = checkNode(by, `${at}.revoke.by`, nodes);
    if (target === operator) throw new ScenarioError(`${at}.revoke: the operator (by) cannot be the node revoked`);
    return { kind, target, by: operator, reason: reason ?? 'compromised' };
  }
  if (kind === 'courier') {
    if (!topology.bundle) throw new ScenarioError(`${at}.courier: a courier run needs topology.bundle: true`);
    const { from, to } = entry.courier!;
    return { kind, from: checkNode(from, `${at}.courier.from`, nodes), to: checkNode(to, `${at}.courier.to`, nodes) };
  }
  if (kind === 'blackout') {
    const sub = entry.blackout!;
    const forMs = optionalDuration(sub.for, `${at}.blackout.for`, HOUR);
    return { kind, ...parseLink(sub, `${at}.blackout`, 'blackhole'), ...(forMs !== undefined ? { forMs } : {}) };
  }
  const sub = kind === 'cut' ? entry.cut! : entry.flap!;
  const subPath = `${at}.${kind}`;
  const channels = topologyChannels(topology).filter((each) => NETWORK_CHANNELS.has(each)) as ChannelKind[];
  if (!channels.includes(sub.channel)) throw new ScenarioError(`${subPath}.channel: expected one of ${channels.join(', ')}, got ${describe(sub.channel)}`);
  const onlyNodes = sub.nodes?.map((name, position) => checkNode(name, `${subPath}.nodes[${position}]`, nodes));
  const scope = onlyNodes ? { nodes: onlyNodes } : {};
  if (kind === 'cut') {
    const cut = entry.cut!;
    const forMs = optionalDuration(cut.for, `${subPath}.for`, HOUR);
    return { kind, channel: sub.channel, ...scope, ...parseLink(cut, subPath, 'blackhole'), ...(forMs !== undefined ? { forMs } : {}) };
  }
  const flapping = entry.flap!;
  const flap = { downMs: parseDuration(flapping.down, `${subPath}.down`, HOUR), upMs: parseDuration(flapping.up, `${subPath}.up`, HOUR), forMs: parseDuration(flapping.for, `${subPath}.for`, HOUR) };
  if (flap.downMs < 100 || flap.upMs < 100) throw new ScenarioError(`${subPath}: down and up must each be at least 100ms`);
  return { kind, channel: sub.channel, ...scope, ...parseLink(flapping, subPath, 'reset'), ...flap };
}

function parseLink(sub: { readonly mode?: CutMode; readonly delay?: number | string; readonly loss?: number; readonly bandwidth?: number; readonly drop?: number }, path: string, fallback: CutMode): LinkFault {
  const mode = sub.mode ?? fallback;
  for (const [other, field] of Object.entries(MODE_FIELDS)) {
    if (other !== mode && sub[field] !== undefined) throw new ScenarioError(`${path}: unknown field "${field}" (it goes with mode: ${other})`, `${path}.${field}`);
  }
  if (sub.loss !== undefined && mode !== 'delay') throw new ScenarioError(`${path}: unknown field "loss" (it goes with mode: delay)`, `${path}.loss`);
  if (mode === 'delay') {
    const delayMs = parseDuration(sub.delay, `${path}.delay`, 60_000);
    return sub.loss !== undefined ? { mode, delayMs, lossRate: sub.loss } : { mode, delayMs };
  }
  if (mode === 'bandwidth') {
    if (sub.bandwidth === undefined) throw new ScenarioError(`${path}.bandwidth: expected a number from 100 to 1000000000, got nothing`);
    return { mode, bytesPerSecond: sub.bandwidth };
  }
  if (mode === 'drop') {
    if (sub.drop === undefined) throw new ScenarioError(`${path}.drop: expected a number from 0 to 1, got nothing`);
    return { mode, dropRate: sub.drop };
  }
  return { mode };
}

function checkNode(value: string, path: string, nodes: ReadonlySet<string>): string {
  if (!nodes.has(value)) throw new ScenarioError(`${path}: expected a node name (${[...nodes].join(', ')}), got ${describe(value)}`);
  return value;
}
