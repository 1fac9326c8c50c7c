import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay, generateIdentity } from '@herald/core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
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
 * (`herald.>`, `hub.>`, `post1.>`, `$KV.>`) are kept off the link, so each side's relay writes only its own streams. With each side's
 * relays under their own name (`sources`), mail crosses both ways: each stream sources only what the other
 * side's relays deposited, so nothing goes round.
 */
let hub: NatsCluster;
let post: NatsCluster;
let leafLink: TcpLink;
const links: TcpLink[] = [];
const processes = tracked();

beforeAll(async () => {
  // The link first, so that the hub can name it to the leaf node as its only leaf address.
  leafLink = await startTcpLink(() => Number(new URL(hub.nodes[0]!.leafUrl!).port));
  hub = await startNatsCluster({ domain: 'hub', leafnodes: true, leafAdvertise: `127.0.0.1:${leafLink.port}` });
  links.push(leafLink);
  post = await startNatsCluster({ nodes: 1, domain: 'post1', leafOf: { urls: [`nats-leaf://127.0.0.1:${leafLink.port}`], deny: ['herald.>', 'hub.>', 'post1.>', '$KV.>'] } });
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

/** A mail stream's last seq, and how many of the messages it holds on its own relays' subjects came in from a source. */
async function streamState(cluster: NatsCluster, stream: string, ownPrefix: string): Promise<{ lastSeq: number; returned: number }> {
  const connection = await connect({ servers: cluster.nodes[0]!.url });
  try {
    const manager = await jetstreamManager(connection);
    const lastSeq = (await manager.streams.info(stream)).state.last_seq;
    let returned = 0;
    for (let seq = 1; seq <= lastSeq; seq++) {
      const message = await manager.streams.getMessage(stream, { seq });
      if (message?.subject.startsWith(ownPrefix) && message.header?.get('Nats-Stream-Source')) returned += 1;
    }
    return { lastSeq, returned };
  } finally {
    await connection.close();
  }
}

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

  it('exchanges both ways when each side runs under its own name: local exchange while cut, then what waited on either side crosses once, and nothing goes round', async () => {
    // A short duplicate window: JetStream's message-id check would otherwise hide, for two minutes, an entry passed
    // back to the side it came from; the cut below outlasts it.
    const short = { requestTimeoutMs: 3000, duplicateWindowMs: 3000 };
    const ministry = await relay({ servers: hub.url, replicas: 3, name: 'HUB', sources: [{ domain: 'post1', name: 'POST1' }], ...short });
    const local = await relay({ servers: post.url, replicas: 1, name: 'POST1', sources: [{ domain: 'hub', name: 'HUB' }], ...short });
    await until('the leaf link to be up', async () => (await leafConnections()) === 1, 30_000);
    const [alice, bob, carol, dave] = ['Alice', 'Bob', 'Carol', 'Dave'].map((label) => generateIdentity({ label })) as [ReturnType<typeof generateIdentity>, ReturnType<typeof generateIdentity>, ReturnType<typeof generateIdentity>, ReturnType<typeof generateIdentity>];
    // Alice and Bob have the post's relay only, Carol and Dave the ministry's: every crossing goes over the leaf link.
    const aliceAtPost = await node(alice, [bob, carol], [local.url]);
    const bobAtPost = await node(bob, [alice, dave], [local.url]);
    const carolAtMinistry = await node(carol, [alice], [ministry.url]);
    const daveAtMinistry = await node(dave, [bob], [ministry.url]);

    await aliceAtPost.node.send(carol.card, 'up over the link');
    await daveAtMinistry.node.send(bob.card, 'down over the link');
    await until('both to cross while the link is up', () => carolAtMinistry.received.length >= 1 && bobAtPost.received.length >= 1, 60_000);

    leafLink.cut();
    await until('the post to see its leaf link gone', async () => (await leafConnections()) === 0, 30_000);
    for (let index = 0; index < 3; index++) await aliceAtPost.node.send(bob.card, `local ${index}`);
    await until('Bob to get Alice’s 3 through the post’s relay while cut', () => bobAtPost.received.length >= 4);
    await until('Alice to see Bob’s acknowledgements while cut', () => delivered(aliceAtPost, 3));
    const [postIn, ministryIn] = [(await local.metric('herald_relay_envelopes_in_total')) ?? 0, (await ministry.metric('herald_relay_envelopes_in_total')) ?? 0];
    for (let index = 0; index < 2; index++) await aliceAtPost.node.send(carol.card, `up while cut ${index}`);
    for (let index = 0; index < 2; index++) await daveAtMinistry.node.send(bob.card, `down while cut ${index}`);
    await until('each side’s relay to take the 2 deposited there', async () => ((await local.metric('herald_relay_envelopes_in_total')) ?? 0) >= postIn + 2 && ((await ministry.metric('herald_relay_envelopes_in_total')) ?? 0) >= ministryIn + 2);
    // The link is down: nothing can have crossed.
    expect(carolAtMinistry.received).toEqual(['up over the link']);
    expect(bobAtPost.received.filter((text) => text.startsWith('down'))).toEqual(['down over the link']);
    await delay(4000);

    leafLink.restore();
    await until('what waited at either side to cross once the link is back', () => carolAtMinistry.received.length >= 3 && bobAtPost.received.length >= 6, 60_000);
    // The acknowledgements cross too: each sender sees its mail delivered.
    await until('Alice and Dave to see every message delivered', async () => (await delivered(aliceAtPost, 6)) && (await delivered(daveAtMinistry, 3)), 60_000);
    // Nothing goes round: no side's stream holds a copy of its own relays' mail taken back in from the other side,
    // and the streams stop growing once nobody deposits.
    const settled = [await streamState(hub, 'HUB_MAIL', 'hub.mail.'), await streamState(post, 'POST1_MAIL', 'post1.mail.')];
    expect(settled.map((state) => state.returned)).toEqual([0, 0]);
    await delay(3000);
    expect([await streamState(hub, 'HUB_MAIL', 'hub.mail.'), await streamState(post, 'POST1_MAIL', 'post1.mail.')]).toEqual(settled);
    // Nothing lost, nothing handed twice to an application.
    expect([...carolAtMinistry.received].sort()).toEqual(['up over the link', 'up while cut 0', 'up while cut 1']);
    expect([...bobAtPost.received].sort()).toEqual(['down over the link', 'down while cut 0', 'down while cut 1', 'local 0', 'local 1', 'local 2']);
    expect(aliceAtPost.received).toEqual([]);
    expect(daveAtMinistry.received).toEqual([]);
  }, 240_000);
});
