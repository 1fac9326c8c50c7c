import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, generateIdentity, type HeraldNode, type Identity, type Transport } from '@herald/core';
import { lmdbStore, type LmdbStore } from '@herald/store-lmdb';
import { mqttTransport } from '@herald/transport-mqtt';
import { webSocketTransport } from '@herald/transport-websocket';

/** One honest node: durable LMDB store, one channel, reading and acknowledging everything it receives. */
interface HonestNode {
  readonly name: string;
  readonly identity: Identity;
  readonly node: HeraldNode;
  readonly store: LmdbStore;
  reading: Promise<void>;
}

/** Honest traffic between two pairs of nodes, one pair over the relay's WebSocket, one over its MQTT broker; every message counted. */
export interface HonestTraffic {
  /** Texts accepted into an outbox. */
  readonly sent: Set<string>;
  /** How often each text reached its receiver's application. */
  readonly delivered: Map<string, number>;
  /** Sends that threw (an honest send must never be refused). */
  readonly refusedSends: string[];
  /** Sends one message from each node to its peer. */
  sendRound(round: number): Promise<void>;
  /** Waits until everything sent arrived, at most `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function honestTraffic(relayUrl: string, mqttUrl: string): Promise<HonestTraffic> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-soak-nodes-'));
  const sent = new Set<string>();
  const delivered = new Map<string, number>();
  const refusedSends: string[] = [];
  const lifetime = new AbortController();
  const names = ['ws-a', 'ws-b', 'mqtt-c', 'mqtt-d'];
  const identities = names.map((name) => generateIdentity({ label: name }));
  const nodes: HonestNode[] = [];
  for (const [index, name] of names.entries()) {
    const identity = identities[index]!;
    const peer = identities[index ^ 1]!;
    const channel: Transport = name.startsWith('ws') ? webSocketTransport({ url: relayUrl, identity }) : mqttTransport({ url: mqttUrl, identity });
    const store = await lmdbStore({ path: join(dir, name) });
    const node = createNode({ identity, contacts: [peer.card], store, channels: [channel] });
    await node.start();
    const reading = (async () => {
      try {
        for await (const message of node.messages({ signal: lifetime.signal })) {
          delivered.set(message.text, (delivered.get(message.text) ?? 0) + 1);
          await message.ack();
        }
      } catch {
        // Aborted at stop.
      }
    })();
    nodes.push({ name, identity, node, store, reading });
  }
  const arrived = (): boolean => [...sent].every((text) => delivered.has(text));
  return {
    sent,
    delivered,
    refusedSends,
    async sendRound(round) {
      await Promise.all(
        nodes.map(async ({ name, node }, index) => {
          const text = `${name} #${round}`;
          try {
            await node.send(identities[index ^ 1]!.card, text);
            sent.add(text);
          } catch (error) {
            refusedSends.push(`${text}: ${(error as Error).message}`);
          }
        }),
      );
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!arrived() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    },
    async stop() {
      lifetime.abort();
      for (const { node, store, reading } of nodes) {
        await node.stop();
        await reading;
        await store.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
