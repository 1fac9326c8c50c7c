import { describe, Fields, ScenarioError } from './fields.js';
import { NETWORK_CHANNELS, topologyChannels, type ChannelKind, type CutMode, type Fault, type FaultAction, type LinkFault, type Topology } from './types.js';

const HOUR = 3_600_000;
const KINDS = ['kill', 'cut', 'flap', 'blackout', 'courier'] as const;
const MODES: readonly CutMode[] = ['blackhole', 'reset', 'delay', 'bandwidth', 'drop'];

/** `faults:` — each entry has `at`, an optional `name`, and exactly one of kill, cut, flap, blackout, courier. */
export function parseFaults(list: readonly unknown[], path: string, nodes: ReadonlySet<string>, topology: Topology): Fault[] {
  if (list.length > 100) throw new ScenarioError(`${path}: at most 100 faults`);
  const names = new Set<string>();
  return list.map((entry, index) => {
    const fields = Fields.of(`${path}[${index}]`, entry);
    const atMs = fields.duration('at', HOUR);
    const present = KINDS.filter((kind) => fields.has(kind));
    if (present.length === 0) {
      // A misspelt kind ("cutt") is the likely cause: name it, with what it probably meant.
      for (const key of ['name', ...KINDS]) fields.raw(key);
      fields.done();
    }
    if (present.length !== 1) throw new ScenarioError(`${fields.path}: expected exactly one of ${KINDS.join(', ')}, got ${present.length === 0 ? 'none' : present.join(' and ')}`);
    const kind = present[0]!;
    const action = parseAction(kind, fields, nodes, topology);
    const name = fields.has('name') ? fields.string('name') : `${kind}-${index + 1}`;
    if (names.has(name)) throw new ScenarioError(`${fields.at('name')}: ${name} is used twice`);
    names.add(name);
    fields.done();
    return { name, atMs, action };
  });
}

function parseAction(kind: (typeof KINDS)[number], fields: Fields, nodes: ReadonlySet<string>, topology: Topology): FaultAction {
  if (kind === 'kill') {
    const target = fields.string('kill');
    const services = [...(topology.relay ? ['relay'] : []), ...(topology.relayCluster ? ['relay-b', 'nats'] : []), ...(topology.broker !== 'none' ? ['broker'] : [])];
    if (!services.includes(target) && !nodes.has(target)) throw new ScenarioError(`${fields.at('kill')}: expected ${[...services, ...nodes].join(', ')}, got ${describe(target)}`);
    const restartAfterMs = fields.optionalDuration('restart', HOUR);
    return { kind, target, ...(restartAfterMs !== undefined ? { restartAfterMs } : {}) };
  }
  if (kind === 'courier') {
    if (!topology.bundle) throw new ScenarioError(`${fields.at('courier')}: a courier run needs topology.bundle: true`);
    const sub = Fields.of(fields.at('courier'), fields.raw('courier'));
    const from = nodeName(sub, 'from', nodes);
    const to = nodeName(sub, 'to', nodes);
    sub.done();
    return { kind, from, to };
  }
  const sub = Fields.of(fields.at(kind), fields.raw(kind));
  const link = parseLink(sub, kind === 'flap' ? 'reset' : 'blackhole');
  if (kind === 'blackout') {
    const forMs = sub.optionalDuration('for', HOUR);
    sub.done();
    return { kind, ...link, ...(forMs !== undefined ? { forMs } : {}) };
  }
  const channel = sub.oneOf('channel', topologyChannels(topology).filter((each) => NETWORK_CHANNELS.has(each)) as ChannelKind[]);
  const onlyNodes = sub.has('nodes') ? sub.list('nodes').map((name, at) => checkNode(name, `${sub.at('nodes')}[${at}]`, nodes)) : undefined;
  const scope = onlyNodes ? { nodes: onlyNodes } : {};
  if (kind === 'cut') {
    const forMs = sub.optionalDuration('for', HOUR);
    sub.done();
    return { kind, channel, ...scope, ...link, ...(forMs !== undefined ? { forMs } : {}) };
  }
  const flap = { downMs: sub.duration('down', HOUR), upMs: sub.duration('up', HOUR), forMs: sub.duration('for', HOUR) };
  sub.done();
  if (flap.downMs < 100 || flap.upMs < 100) throw new ScenarioError(`${sub.path}: down and up must each be at least 100ms`);
  return { kind, channel, ...scope, ...link, ...flap };
}

function parseLink(fields: Fields, fallback: CutMode): LinkFault {
  const mode = fields.oneOf('mode', MODES, fallback);
  if (mode === 'delay') return { mode, delayMs: fields.duration('delay', 60_000) };
  if (mode === 'bandwidth') return { mode, bytesPerSecond: fields.number('bandwidth', 100, 1e9) };
  if (mode === 'drop') return { mode, dropRate: fields.number('drop', 0, 1) };
  return { mode };
}

function nodeName(fields: Fields, key: string, nodes: ReadonlySet<string>): string {
  return checkNode(fields.raw(key), fields.at(key), nodes);
}

function checkNode(value: unknown, path: string, nodes: ReadonlySet<string>): string {
  if (typeof value !== 'string' || !nodes.has(value)) throw new ScenarioError(`${path}: expected a node name (${[...nodes].join(', ')}), got ${describe(value)}`);
  return value;
}
