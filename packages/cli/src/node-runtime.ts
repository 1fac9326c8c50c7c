import { createNode, type Card, type HeraldNode, type HeraldStore, type Identity, type NodeEvent, type NodePolicy, type Transport } from '@herald/core';
import { describeClock } from './clock-warning.js';
import { channelsFromFlags, proxyFromFlag } from './channels.js';
import { dataDir, type DataDir } from './data-dir.js';
import { writeStderr } from './io.js';
import { loadCard, loadIdentity } from './keys.js';
import { describeRefusal } from './refusals.js';
import { nodeTrust, type NodeTrustSetup } from './trust-runtime.js';

/** Flags every node command shares. */
export const NODE_FLAGS = {
  key: { type: 'string', value: 'KEY', required: true, fallback: 'key', description: 'your secret key file' },
  via: { type: 'string', value: 'URL', multiple: true, required: true, fallback: 'via', description: 'channel URL, in order of preference (repeatable), e.g. dir:/mnt/usb/herald' },
  'data-dir': { type: 'string', value: 'DIR', required: true, fallback: 'dataDir', description: 'where the outbox, inbox, seen-set and contacts live' },
  'passphrase-file': { type: 'string', value: 'FILE', description: 'passphrase for a protected key (else HERALD_PASSPHRASE)' },
  proxy: { type: 'string', value: 'URL', description: 'network channels through this proxy: socks5h://127.0.0.1:9050 (Tor) or http://HOST:PORT; "direct" for none (default: HTTPS_PROXY, ALL_PROXY, NO_PROXY)' },
} as const;

/** `-v`: every attempt, its outcome and reason, and when and where the next one goes (stderr). */
export const VERBOSE_FLAG = { verbose: { type: 'boolean', short: 'v', description: 'say, as it happens, each attempt on each channel (taken or why not) and when and where the next one goes (stderr)' } } as const;

export interface RunningNode {
  readonly node: HeraldNode;
  readonly identity: Identity;
  readonly contacts: readonly Card[];
  readonly dir: DataDir;
  readonly store: HeraldStore;
  /** The channels the node runs, in order of preference (for health and metrics). */
  readonly channels: readonly Transport[];
  /** The trust policy (revocation lists), and this node's own certificate chain if it has one. */
  readonly trust: NodeTrustSetup['trust'];
  readonly chain: NodeTrustSetup['chain'];
  /** Stops the node and closes the store; safe to call twice. */
  close(): Promise<void>;
}

export interface NodeFlags {
  readonly key?: string;
  readonly via?: readonly string[];
  readonly 'data-dir'?: string;
  readonly 'passphrase-file'?: string;
  readonly proxy?: string;
}

/** Loads keys and contacts, opens the store and the channels, and starts the node. */
export async function startNode(flags: NodeFlags, options: { extraContacts?: readonly string[]; verbose?: boolean; attempts?: boolean; withoutChannels?: boolean; policy?: NodePolicy; onEvent?: (event: NodeEvent) => void } = {}): Promise<RunningNode> {
  const identity = await loadIdentity(flags.key ?? '', flags['passphrase-file']);
  const dir = dataDir(flags['data-dir'] ?? '');
  for (const argument of options.extraContacts ?? []) await dir.addContact(await loadCard(argument));
  const contacts = await dir.contacts();
  // Without channels (herald inbox): only what is already stored, nothing sent or collected.
  const proxy = proxyFromFlag(flags.proxy);
  const channels = options.withoutChannels ? [] : channelsFromFlags(flags.via, identity, flags['data-dir'], proxy);
  // Authorities, own certificate, retired keys: DIR/trust and DIR/retired (trust-runtime.ts).
  const trust = await nodeTrust(dir.path, identity, flags['passphrase-file']);
  const store: HeraldStore = await dir.openStore({ readOnly: options.withoutChannels === true });
  const prekeys = await dir.openPrekeys(identity).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const running = trust.channels(channels, flags.via ?? [], proxy);
  const node = createNode({ identity, contacts, store, channels: running, prekeys, ...trust.options, ...(options.policy ? { policy: options.policy } : {}) });
  // Said whatever the verbosity: a clock hours off is why messages would not get through.
  node.subscribe((event) => void (event.type === 'clock' && writeStderr(describeClock(event))));
  if (options.verbose) node.subscribe((event) => void writeStderr(describeEvent(event, contacts)));
  if (options.attempts) node.subscribe((event) => void writeStderr(describeAttempt(event)));
  if (options.onEvent) node.subscribe(options.onEvent);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await node.stop();
      await prekeys.close();
      for (const retired of trust.options.retiredIdentities ?? []) await retired.prekeys?.close();
      await store.close();
    })());
  try {
    await node.start();
    await trust.afterStart(node, contacts);
  } catch (error) {
    await close();
    throw error;
  }
  return { node, identity, contacts, dir, store, channels: running, trust: trust.trust, chain: trust.chain, close };
}

function describeEvent(event: NodeEvent, contacts: readonly Card[]): string {
  switch (event.type) {
    case 'status':
      return `${event.id} ${event.status}${event.channel ? ` via ${event.channel}` : ''}${event.failure ? ` (${event.failure.code}: ${event.failure.message})` : ''}\n`;
    case 'rejected':
      return describeRefusal(event, contacts);
    case 'breaker':
      return `channel ${event.channel}: breaker ${event.state}\n`;
    case 'ack-sent':
    case 'clock':
    case 'attempt':
    case 'next-attempt':
    case 'routing-tags':
      return '';
    case 'error':
      return `warning: ${event.error.message}\n`;
  }
}

/** The lines `-v` adds: attempts and the next attempt planned (failovers name both channels). */
function describeAttempt(event: NodeEvent): string {
  const time = (at: number): string => new Date(at).toISOString().slice(11, 19);
  if (event.type === 'attempt') {
    if (event.outcome === 'accepted') return `${event.id} attempt via ${event.channel}: taken\n`;
    const what = event.outcome === 'skipped' ? 'passed over' : 'not taken';
    return `${event.id} attempt via ${event.channel}: ${what}, ${event.code ?? 'error'}${event.message ? `: ${event.message}` : ''}\n`;
  }
  if (event.type === 'next-attempt') {
    const inSeconds = Math.max(0, Math.round((event.at - Date.now()) / 1000));
    return event.reason === 'ack-deadline'
      ? `${event.id} no ack yet: at ${time(event.at)} (in ${inSeconds} s) it goes again${event.channel ? ` via ${event.channel}` : ''}\n`
      : `${event.id} no channel took it: next try at ${time(event.at)} (in ${inSeconds} s)\n`;
  }
  if (event.type === 'ack-sent') return `ack for ${event.ids.join(', ')} sent via ${event.channel}\n`;
  return '';
}

/** Resolves when SIGINT or SIGTERM arrives (or `signal` aborts); removes its handlers afterwards. */
export function untilShutdown(signal?: AbortSignal): { promise: Promise<void>; controller: AbortController } {
  const controller = new AbortController();
  const promise = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      controller.abort();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  return { promise, controller };
}
