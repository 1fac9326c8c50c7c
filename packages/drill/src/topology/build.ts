import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cardToFile, generateIdentity, toHex, writeSecretKeyFile, type Card, type Identity } from '@herald/core';
import type { MailSystem } from '@herald/mail-test-server';
import { loadMailSystem } from './mail-system.js';
import type { ChannelConfig, NodeConfig } from '../child/protocol.js';
import { startProxy, type FaultProxy } from '../proxy/proxy.js';
import { topologyChannels, type ChannelKind, type Scenario } from '../scenario/types.js';
import { startNatsCluster, type NatsCluster, type NatsNode } from '@herald/relay/testing';
import { startRelayDaemon, type Daemon } from './daemon.js';
import { mosquittoInstalled, startMosquittoDaemon } from './mosquitto.js';
import { drillAuthority, memberChain } from './authority.js';

import { SetupError } from '../errors.js';

export { SetupError };

/** The services a drill can kill by name: the relay (relay A of a relay cluster), relay B, one NATS node, the broker. */
export const SERVICE_NAMES = ['relay', 'relay-b', 'nats', 'broker'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface Built {
  /** What was skipped or substituted, and why: shown in the summary and the report. */
  readonly notes: string[];
  readonly channels: readonly ChannelKind[];
  readonly brokerKind?: 'embedded' | 'mosquitto';
  readonly services: ReadonlyMap<ServiceName, Daemon>;
  /** node → channel → the proxies its connections go through (two for e-mail: SMTP and IMAP). */
  readonly proxies: ReadonlyMap<string, ReadonlyMap<ChannelKind, readonly FaultProxy[]>>;
  readonly configs: ReadonlyMap<string, string>;
  /** The organisation authority that certifies every node, when a fault revokes a key. */
  readonly authority?: Identity;
  /** Every node's card, by name. */
  readonly cards: ReadonlyMap<string, Card>;
  /** Points every proxy at its service's current port (after a restart). */
  refreshUpstreams(): void;
  /** A node's courier spool (bundle: channel). */
  bundleSpool(node: string): string;
  /** A node's folder: node.key, store/, prekeys/, capture.jsonl. */
  nodeHome(node: string): string;
  close(): Promise<void>;
}

/** Builds the scenario's topology under `workdir`: services, one proxy per node and network link, keys and node configs. */
export async function buildTopology(scenario: Scenario, workdir: string): Promise<Built> {
  const notes: string[] = [];
  const wanted = topologyChannels(scenario.topology);
  const closers: (() => Promise<unknown>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    let brokerKind: 'embedded' | 'mosquitto' | undefined;
    if (wanted.includes('mqtt')) {
      const want = scenario.topology.broker;
      if (want === 'mosquitto' && !mosquittoInstalled()) throw new SetupError('this scenario needs Mosquitto (topology.broker: mosquitto), which is not installed: apt-get install mosquitto, or use broker: auto');
      brokerKind = want === 'embedded' || (want === 'auto' && !mosquittoInstalled()) ? 'embedded' : 'mosquitto';
      if (want === 'auto') notes.push(`broker: ${brokerKind === 'mosquitto' ? 'Mosquitto (installed)' : "the relay's embedded broker (Mosquitto is not installed)"}`);
    }
    let channels = wanted;
    const mailSystem = wanted.includes('email') ? await loadMailSystem() : undefined;
    if (mailSystem) {
      const why = mailSystem.unavailable();
      if (why && scenario.topology.email === 'required') throw new SetupError(`this scenario needs the mail system (topology.email: required): ${why}`);
      if (why) {
        notes.push(`email channel skipped: ${why}`);
        channels = wanted.filter((kind) => kind !== 'email');
      }
    }

    const identities = new Map<string, Identity>(scenario.nodes.map((node) => [node.name, generateIdentity({ label: node.name })]));
    const proxies = new Map<string, Map<ChannelKind, FaultProxy[]>>();
    const proxy = async (node: string, kind: ChannelKind): Promise<FaultProxy> => {
      const made = await startProxy(0);
      closers.push(() => made.close());
      const table = proxies.get(node) ?? new Map<ChannelKind, FaultProxy[]>();
      proxies.set(node, table);
      table.set(kind, [...(table.get(kind) ?? []), made]);
      return made;
    };
    const services = new Map<ServiceName, Daemon>();
    /** With a relay cluster, the relay each node reaches: A and B alternately. */
    const relayOf = new Map<string, ServiceName>(scenario.nodes.map((node, position) => [node.name, scenario.topology.relayCluster && position % 2 === 1 ? 'relay-b' : 'relay']));
    if (channels.includes('relay')) {
      const relayProxies = await Promise.all(scenario.nodes.map((node) => proxy(node.name, 'relay')));
      // The relay accepts authentications signed for the URL each node dials: its proxy's.
      const publicUrls = relayProxies.map((each) => `ws://127.0.0.1:${each.port}/`);
      let storeArgs: string[] = [];
      if (scenario.topology.relayCluster) {
        const cluster = await startNatsCluster();
        closers.push(() => cluster.close());
        services.set('nats', natsNodeDaemon(cluster, cluster.nodes[0]!));
        storeArgs = ['--store', cluster.url, '--store-replicas', '3'];
      }
      const relay = await startRelayDaemon('relay', join(workdir, 'relay'), publicUrls, storeArgs);
      closers.push(() => relay.close());
      services.set('relay', relay);
      if (scenario.topology.relayCluster) {
        const relayB = await startRelayDaemon('relay', join(workdir, 'relay-b'), publicUrls, storeArgs);
        closers.push(() => relayB.close());
        services.set('relay-b', relayB);
      }
    }
    if (brokerKind) {
      const brokerProxies = await Promise.all(scenario.nodes.map((node) => proxy(node.name, 'mqtt')));
      // The embedded broker accepts identity proofs signed for the address each node dials: its proxy's (mqttPublicUrls).
      const brokerUrls = brokerProxies.map((each) => `mqtt://127.0.0.1:${each.port}`);
      const broker = brokerKind === 'mosquitto' ? await startMosquittoDaemon() : await startRelayDaemon('mqtt', join(workdir, 'broker'), [], brokerUrls.flatMap((url) => ['--mqtt-public-url', url]));
      closers.push(() => broker.close());
      services.set('broker', broker);
    }
    let mail: MailSystem | undefined;
    const addresses = new Map<string, string>();
    if (channels.includes('email') && mailSystem) {
      mail = await mailSystem.start();
      closers.push(() => mail!.close());
      for (const node of scenario.nodes) {
        addresses.set(node.name, mail.newAddress(node.name));
        (await proxy(node.name, 'email')).setUpstream(mail.smtp.securePort);
        (await proxy(node.name, 'email')).setUpstream(mail.imap.securePort);
      }
    }
    const upstreams = (): void => {
      for (const [node, table] of proxies) {
        for (const each of table.get('relay') ?? []) each.setUpstream(services.get(relayOf.get(node)!)!.port);
        for (const each of table.get('mqtt') ?? []) each.setUpstream(services.get('broker')!.port);
      }
    };
    upstreams();

    const configs = new Map<string, string>();
    const authority = drillAuthority(scenario);
    const seizing = scenario.faults.some((fault) => fault.action.kind === 'seize');
    const spoolDir = join(workdir, 'spool');
    for (const node of scenario.nodes) {
      const home = join(workdir, 'nodes', node.name);
      await mkdir(home, { recursive: true, mode: 0o700 });
      const identity = identities.get(node.name)!;
      const keyFile = join(home, 'node.key');
      await writeSecretKeyFile(keyFile, identity);
      const links = proxies.get(node.name);
      const order = (node.channels ?? channels).filter((kind) => {
        if (channels.includes(kind)) return true;
        notes.push(`node ${node.name}: ${kind} channel skipped (not available here)`);
        return false;
      });
      const channelConfigs: ChannelConfig[] = order.map((kind): ChannelConfig => {
        const port = (at: number): number => links?.get(kind)?.[at]?.port ?? 0;
        if (kind === 'relay') return { kind, url: `ws://127.0.0.1:${port(0)}/` };
        if (kind === 'mqtt') return { kind, url: `mqtt://127.0.0.1:${port(0)}` };
        if (kind === 'dir') return { kind, path: spoolDir };
        if (kind === 'bundle') return { kind, path: join(home, 'bundle') };
        const addressBook = Object.fromEntries(scenario.nodes.filter((other) => other.name !== node.name).map((other) => [toHex(identities.get(other.name)!.card.routingTag), addresses.get(other.name)!]));
        return { kind, address: addresses.get(node.name)!, password: mail!.password, ca: mail!.ca, smtpPort: port(0), imapPort: port(1), addressBook };
      });
      const config: NodeConfig = {
        name: node.name,
        keyFile,
        storePath: join(home, 'store'),
        contacts: Object.fromEntries(scenario.nodes.filter((other) => other.name !== node.name).map((other) => [other.name, cardToFile(identities.get(other.name)!.card)])),
        channels: channelConfigs,
        ...(authority ? { trust: { authority: cardToFile(authority.card), chain: memberChain(authority, identity) } } : {}),
        ...(scenario.prekeys ? { prekeys: { path: join(home, 'prekeys'), rotation: scenario.prekeys, ttlSeconds: scenario.prekeys.openForSeconds } } : {}),
        ...(seizing ? { capturePath: join(home, 'capture.jsonl') } : {}),
        policy: scenario.policy,
      };
      const path = join(home, 'config.json');
      await writeFile(path, JSON.stringify(config), { mode: 0o600 });
      configs.set(node.name, path);
    }
    return {
      notes,
      channels,
      ...(brokerKind ? { brokerKind } : {}),
      ...(authority ? { authority } : {}),
      cards: new Map([...identities].map(([name, identity]) => [name, identity.card])),
      services,
      proxies,
      configs,
      refreshUpstreams: upstreams,
      bundleSpool: (node) => join(workdir, 'nodes', node, 'bundle'),
      nodeHome: (node) => join(workdir, 'nodes', node),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One node of the drill's NATS cluster as a service the faults can kill and restart (on its own ports and storage). */
function natsNodeDaemon(cluster: NatsCluster, node: NatsNode): Daemon {
  return {
    port: node.port,
    get running() {
      return node.running();
    },
    kill: () => node.stop('SIGKILL'),
    async restart() {
      await node.start();
      await cluster.ready(60_000);
    },
    close: () => node.stop('SIGTERM'),
  };
}
