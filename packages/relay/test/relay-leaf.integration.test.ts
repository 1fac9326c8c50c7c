import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { startNatsCluster, type NatsCluster } from '@herald/relay/testing';
import { delivered, until } from './helpers/nodes.js';
import type { RelayProcess } from './helpers/relay-process.js';
import { startTcpLink, type TcpLink } from './helpers/tcp-link.js';
import { tracked } from './helpers/tracked.js';

/**
 * A post's relay on a nats-server that is a JetStream leaf node (domain `post1`) of the ministry's three-node
 * cluster (domain `hub`), the leaf link through a TCP forwarder the test cuts: while cut, two people at the post
 * still exchange through the post's relay, and mail deposited there for someone served by the ministry's relay
 * arrives once the link is back (the ministry's mail stream sources the post's). The relays' own subjects
 * (`herald.>`, `$KV.>`) are kept off the link, so each side's relay writes only its own streams.
 */
let hub: NatsCluster;
let post: NatsCluster;
let leafLink: TcpLink;
const links: TcpLink[] = [];
const processes = tracked();

beforeAll(async () => {
  hub = await startNatsCluster({ domain: 'hub', leafnodes: true });
  leafLink = await startTcpLink(Number(new URL(hub.nodes[0]!.leafUrl!).port));
  links.push(leafLink);
  post = await startNatsCluster({ nodes: 1, domain: 'post1', leafOf: { urls: [`nats-leaf://127.0.0.1:${leafLink.port}`], deny: ['herald.>', '$KV.>'] } });
}, 90_000);

afterAll(async () => {
  await processes.stopAll();
  await Promise.all(links.map((link) => link.close()));
  await post?.close();
  await hub?.close();
});

function relay(store: Record<string, unknown>): Promise<RelayProcess> {
  return processes.relay({ config: { heartbeatIntervalMs: 1000, store: { requestTimeoutMs: 20_000, ...store } } });
}

const node = processes.node;

/** Leaf connections the post's server has now (its /leafz). */
async function leafConnections(): Promise<number> {
  const answer = await post.nodes[0]!.monitor('/leafz');
  return (JSON.parse(answer.text) as { leafnodes?: number }).leafnodes ?? 0;
}

describe('a post’s relay on a JetStream leaf node of the ministry’s cluster', () => {
  it('keeps local exchange working while the uplink is cut, and forwards mail for the ministry when it returns', async () => {
    const ministry = await relay({ servers: hub.url, replicas: 3, sourceDomains: ['post1'] });
    const local = await relay({ servers: post.url, replicas: 1 });
    await until('the leaf link to come up', async () => (await leafConnections()) === 1, 30_000);
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const carol = generateIdentity({ label: 'Carol' });
    // Alice's only channel is the post's relay: mail for Carol can reach the ministry only through the leaf link.
    const aliceAtPost = await node(alice, [bob, carol], [local.url]);
    const bobAtPost = await node(bob, [alice], [local.url]);
    const carolAtMinistry = await node(carol, [alice], [ministry.url]);

    leafLink.cut();
    await until('the post to see its leaf link gone', async () => (await leafConnections()) === 0, 30_000);
    for (let index = 0; index < 3; index++) await aliceAtPost.node.send(bob.card, `to Bob ${index}`);
    await until('Bob, at the post, to get Alice’s 3 through the post’s relay while the uplink is cut', () => bobAtPost.received.length >= 3);
    await until('Alice to see Bob’s acknowledgements through the post’s relay', () => delivered(aliceAtPost, 3));
    const before = (await local.metric('herald_relay_envelopes_in_total')) ?? 0;
    for (let index = 0; index < 2; index++) await aliceAtPost.node.send(carol.card, `to Carol ${index}`);
    await until('the post’s relay to take Alice’s 2 for Carol', async () => ((await local.metric('herald_relay_envelopes_in_total')) ?? 0) >= before + 2);
    // Nothing can have crossed: the link is down.
    expect(carolAtMinistry.received).toEqual([]);

    leafLink.restore();
    await until('Carol, at the ministry, to get the 2 deposited at the post once the link is back', () => carolAtMinistry.received.length >= 2, 60_000);
    expect([...carolAtMinistry.received].sort()).toEqual(['to Carol 0', 'to Carol 1']);
    // With the link up, mail deposited at the post crosses as it comes.
    await aliceAtPost.node.send(carol.card, 'to Carol over the link');
    await until('Carol to get mail deposited at the post while the link is up', () => carolAtMinistry.received.length >= 3, 60_000);
    expect([...carolAtMinistry.received].sort()).toEqual(['to Carol 0', 'to Carol 1', 'to Carol over the link']);
    expect([...bobAtPost.received].sort()).toEqual(['to Bob 0', 'to Bob 1', 'to Bob 2']);
  }, 180_000);
});
