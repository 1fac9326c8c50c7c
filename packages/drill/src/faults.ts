import { join } from 'node:path';
import { SERVICE_NAMES, type Built, type ServiceName } from './topology/build.js';
import type { DrillNode } from './nodes.js';
import type { FaultRecord, Recorder } from './recorder.js';
import { NETWORK_CHANNELS, type ChannelKind, type Fault, type LinkFault } from './scenario/types.js';
import type { FaultProxy } from './proxy/proxy.js';
import { sleep } from './sleep.js';
import { revocations } from './revocation.js';
import { seizeNode } from './seizure/seize.js';

function link(action: LinkFault): LinkFault {
  return { mode: action.mode, ...(action.delayMs !== undefined ? { delayMs: action.delayMs } : {}), ...(action.bytesPerSecond !== undefined ? { bytesPerSecond: action.bytesPerSecond } : {}), ...(action.dropRate !== undefined ? { dropRate: action.dropRate } : {}), ...(action.lossRate !== undefined ? { lossRate: action.lossRate } : {}) };
}

function describeLink(fault: LinkFault): string {
  if (fault.mode === 'delay') return `+${fault.delayMs} ms${fault.lossRate ? `, ${Math.round(fault.lossRate * 1000) / 10}% loss` : ''}`;
  if (fault.mode === 'bandwidth') return `${fault.bytesPerSecond} B/s`;
  if (fault.mode === 'drop') return `drop ${Math.round((fault.dropRate ?? 0) * 100)}%`;
  return fault.mode;
}

/** Where a seize fault puts what it took. */
export function seizedDir(built: Built, node: string): string {
  return join(built.nodeHome(node), '..', '..', 'seized', node);
}

/** Applies the fault timeline. Each fault runs on its own from its `at`; every wait ends when `signal` aborts (the heal phase). */
export function runFaults(faults: readonly Fault[], built: Built, nodes: ReadonlyMap<string, DrillNode>, recorder: Recorder, start: number, signal: AbortSignal): Promise<void> {
  const proxiesOf = (channels: readonly ChannelKind[], only?: readonly string[]): FaultProxy[] =>
    [...built.proxies].filter(([node]) => !only || only.includes(node)).flatMap(([, table]) => channels.flatMap((channel) => [...(table.get(channel) ?? [])]));

  const revoking = revocations(built, nodes);
  const one = async (fault: Fault): Promise<void> => {
    await sleep(start + fault.atMs - Date.now(), signal);
    if (signal.aborted) return;
    const action = fault.action;
    const record = (label: string, affects: readonly string[], revoked?: string, seized?: string): FaultRecord => {
      const made: FaultRecord = { name: fault.name, kind: action.kind, label, at: Date.now(), affects, downs: [], ...(revoked ? { revoked } : {}), ...(seized ? { seized } : {}) };
      recorder.faults.push(made);
      return made;
    };
    if (action.kind === 'kill') {
      const service = isService(action.target) ? built.services.get(action.target) : undefined;
      const node = nodes.get(action.target);
      // A NATS node's loss must not show on any channel: the cluster keeps serving with the other two.
      const affects = action.target === 'relay' || action.target === 'relay-b' ? ['relay'] : action.target === 'broker' ? ['mqtt'] : [];
      const made = record(`SIGKILL ${action.target === 'broker' ? `${built.brokerKind ?? ''} broker` : action.target === 'nats' ? 'a NATS node' : action.target}`, affects);
      await (service ? service.kill() : node?.kill());
      if (action.restartAfterMs === undefined) return;
      await sleep(action.restartAfterMs, signal);
      // When the drill is already healing, healAll restarts it.
      if (signal.aborted) return;
      made.end = Date.now();
      await (service ? service.restart().then(() => built.refreshUpstreams()) : node?.start());
      return;
    }
    if (action.kind === 'seize') {
      const made = record(`seize ${action.target}: key file and prekey secrets copied`, [], undefined, action.target);
      await seizeNode(built.nodeHome(action.target), seizedDir(built, action.target));
      made.end = Date.now();
      return;
    }
    if (action.kind === 'revoke') {
      const made = record(`revoke ${action.target} (${action.reason}) by ${action.by}`, [], action.target);
      made.end = made.at;
      revoking.publish(action);
      return;
    }
    if (action.kind === 'courier') {
      const made = record(`courier ${action.from} → ${action.to}`, []);
      const taken = await nodes.get(action.to)?.take(built.bundleSpool(action.from));
      // A courier run is a moment, not a period: it is marked by a line only.
      made.end = made.at;
      if (!taken) recorder.errors.push(`fault ${fault.name}: ${action.to} could not take the bundle in (node down?)`);
      recorder.courierRuns++;
      return;
    }
    const channels = action.kind === 'blackout' ? built.channels.filter((kind) => NETWORK_CHANNELS.has(kind)) : [action.channel];
    const targets = proxiesOf(channels, action.kind === 'blackout' ? undefined : action.nodes);
    const scope = action.kind !== 'blackout' && action.nodes ? ` (${action.nodes.join(', ')})` : '';
    const label = `${action.kind === 'blackout' ? 'all networks down' : `${action.kind} ${action.channel}`}${scope}: ${describeLink(action)}`;
    const made = record(label, channels);
    const apply = (on: boolean): void => {
      for (const proxy of targets) proxy.setFault(on ? link(action) : undefined);
    };
    if (action.kind === 'flap') {
      const until = Date.now() + action.forMs;
      while (Date.now() < until && !signal.aborted) {
        const down = { at: Date.now() } as { at: number; end?: number };
        made.downs.push(down);
        apply(true);
        await sleep(action.downMs, signal);
        apply(false);
        down.end = Date.now();
        await sleep(action.upMs, signal);
      }
      made.end = Date.now();
      return;
    }
    made.downs.push({ at: made.at });
    apply(true);
    if (action.forMs === undefined) return;
    await sleep(action.forMs, signal);
    apply(false);
    made.end = Date.now();
    made.downs[0]!.end = made.end;
  };
  // A fault that cannot be applied (a service that will not restart) is reported, not thrown: the drill still judges what happened.
  return Promise.all(faults.map((fault) => one(fault).catch((error: unknown) => void recorder.errors.push(`fault ${fault.name}: ${(error as Error).message}`)))).then(() => undefined);
}

/** Before judging: every link healed, every killed service and node running again. */
export async function healAll(built: Built, nodes: ReadonlyMap<string, DrillNode>, recorder: Recorder): Promise<void> {
  const now = Date.now();
  for (const table of built.proxies.values()) for (const proxies of table.values()) for (const proxy of proxies) proxy.setFault(undefined);
  for (const fault of recorder.faults) {
    fault.end ??= now;
    for (const down of fault.downs) down.end ??= now;
  }
  let restarted = false;
  for (const service of built.services.values()) {
    if (!service.running) {
      await service.restart();
      restarted = true;
    }
  }
  if (restarted) built.refreshUpstreams();
  for (const node of nodes.values()) if (!node.up) await node.start();
}

function isService(target: string): target is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(target);
}
