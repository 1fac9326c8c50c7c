import { afterEach, describe, expect, it } from 'vitest';
import {
  ACK_CONTENT_TYPE,
  PREKEYED_CONTENT_TYPE,
  createNode,
  exportIdentity,
  generateIdentity,
  importIdentity,
  inspect,
  memoryPrekeyRecordBackend,
  memoryStore,
  open,
  prekeySecretStoreOver,
  decodePrekeyed,
  type HeraldNode,
  type HeraldStore,
  type Identity,
  type PrekeySecretStore,
  type Transport,
} from '@herald/core';
import { FAST, receive, waitUntil } from './fixtures.js';
import { memoryMedium, type TestChannel } from './memory-transport.js';

/**
 * The seizure bounds of docs/threat-model.md 17.5, measured in process: every envelope Alice sends Bob is captured
 * on the wire; Bob's device is seized (his key and a copy of his prekey secrets as they are at that moment); an
 * adversary using only the public API opens each captured envelope as of its creation time (no expiry or replay
 * check binds it), so only a missing key stops it.
 */
interface Captured {
  readonly bytes: Uint8Array;
  readonly at: number;
}

// Shorter than the prekeys' openUntil (sealFor + openFor, 120 s here): a sender never seals past it.
const TTL = 90;
const running: HeraldNode[] = [];
afterEach(async () => void (await Promise.all(running.splice(0).map((node) => node.stop()))));

/** Alice's channel, recording every envelope it carries: the wire as an eavesdropper or a relay sees it. */
function capturing(channel: TestChannel, captured: Captured[]): Transport {
  return { ...channel, send: (envelope, route, signal) => (captured.push({ bytes: envelope.slice(), at: Date.now() }), channel.send(envelope, route, signal)) };
}

/** What the adversary carries away: the key file's contents and a byte copy of every prekey record. */
function seize(identity: Identity, records: Map<string, Uint8Array>): { identity: Identity; prekeys: PrekeySecretStore; ids: Set<string> } {
  const copy = new Map([...records].map(([id, record]) => [id, record.slice()]));
  const seized = importIdentity(exportIdentity(identity));
  return { identity: seized, prekeys: prekeySecretStoreOver(memoryPrekeyRecordBackend(copy), seized), ids: new Set(copy.keys()) };
}

/** The adversary's attempt, as of the envelope's creation: the application message it opens, or the refusal code. */
async function attempt(envelope: Captured, seized: ReturnType<typeof seize>): Promise<{ opened: true; text: string } | { opened: false; code: string }> {
  try {
    const message = await open(envelope.bytes, { identity: seized.identity, prekeys: seized.prekeys, now: envelope.at });
    const inner = message.contentType === PREKEYED_CONTENT_TYPE ? decodePrekeyed(message.plaintext) : { contentType: message.contentType, body: message.plaintext };
    return { opened: true, text: inner?.contentType === ACK_CONTENT_TYPE ? '(ack)' : new TextDecoder().decode(inner?.body) };
  } catch (error) {
    return { opened: false, code: (error as { code?: string }).code ?? 'ERROR' };
  }
}

describe('seizure of a recipient (threat model 17.5)', () => {
  it('opens nothing acknowledged under a one-time prekey, medium-term mail only until openUntil, v1 and in-flight mail; prekeys made after the seizure heal', async () => {
    const medium = memoryMedium();
    const aliceId = generateIdentity({ label: 'Alice' });
    const bobId = generateIdentity({ label: 'Bob' });
    const bobRecords = new Map<string, Uint8Array>();
    const bobSecrets = prekeySecretStoreOver(memoryPrekeyRecordBackend(bobRecords), bobId);
    const bobStore: HeraldStore = memoryStore();
    const rotation = { everySeconds: 1, sealForSeconds: 60, openForSeconds: 60 };
    const captured: Captured[] = [];
    const alice = createNode({ identity: aliceId, contacts: [bobId.card], store: memoryStore(), channels: [capturing(medium.channel('a'), captured)], policy: FAST, prekeys: prekeySecretStoreOver(memoryPrekeyRecordBackend(), aliceId) });
    const startBob = async (): Promise<HeraldNode> => {
      const bob = createNode({ identity: bobId, contacts: [aliceId.card], store: bobStore, channels: [medium.channel('a')], policy: FAST, prekeys: bobSecrets, prekeyRotation: rotation });
      running.push(bob);
      await bob.start();
      return bob;
    };
    running.push(alice);
    await alice.start();
    let bob = await startBob();
    const settled = { signal: AbortSignal.timeout(10_000) };

    // Acknowledged before the seizure: the first message v1 (no prekeys of Bob's yet), then one at a time (one-time
    // prekeys, one back with each ack), then three at once (one one-time prekey held: the others take the medium-term one).
    const acknowledged: string[] = [];
    for (const text of ['v1 first', 'one-time 1', 'one-time 2']) {
      const handle = await alice.send(bobId.card, text, { ttl: TTL });
      await receive(bob, 1);
      expect(await handle.settled(settled)).toBe('delivered');
      acknowledged.push(text);
    }
    const burst = await Promise.all(['burst 1', 'burst 2', 'burst 3'].map((text) => alice.send(bobId.card, text, { ttl: TTL })));
    await receive(bob, 3);
    for (const handle of burst) expect(await handle.settled(settled)).toBe('delivered');
    acknowledged.push('burst 1', 'burst 2', 'burst 3');

    // In flight at the seizure: Bob's device is off, the message waits on the channel.
    await bob.stop();
    await alice.send(bobId.card, 'in flight', { ttl: TTL });
    await waitUntil(() => captured.length >= 7);
    const seized = seize(bobId, bobRecords);

    // What the sender's outbox says of each envelope at the seizure: acknowledged or not, version, prekey kind.
    const outbox = new Map((await alice.outbox()).map((record) => [record.envelopeId ?? record.id, record]));
    const classes = await Promise.all(
      captured.map(async (envelope) => {
        const record = outbox.get(inspect(envelope.bytes).id);
        if (!record) throw new Error('a captured envelope the outbox does not know');
        return { envelope, record, result: await attempt(envelope, seized) };
      }),
    );
    const texts = (list: typeof classes): string[] => [...new Set(list.flatMap((each) => (each.result.opened ? [each.result.text] : [])))];
    const v1 = classes.filter((each) => each.record.envelopeVersion === 1);
    const acknowledgedOneTime = classes.filter((each) => each.record.status === 'delivered' && each.record.prekey === 'one-time');
    const mediumTerm = classes.filter((each) => each.record.prekey === 'medium-term');
    const inFlight = classes.filter((each) => each.record.status !== 'delivered');

    // Sealed v1: no forward secrecy; the identity key opens them.
    expect(texts(v1)).toEqual(['v1 first']);
    // Acknowledged under one-time prekeys: none opens (their secrets were deleted once Bob's application acked).
    expect(acknowledgedOneTime.length).toBeGreaterThanOrEqual(3);
    for (const each of acknowledgedOneTime) expect(each.result).toEqual({ opened: false, code: 'PREKEY_GONE' });
    // Under the medium-term prekey: open until its openUntil (the bound), acknowledged or not.
    expect(mediumTerm.filter((each) => each.record.status === 'delivered').length).toBeGreaterThanOrEqual(1);
    expect(texts(mediumTerm).length).toBe(new Set(mediumTerm.map((each) => each.record.id)).size);
    // In flight: its prekey's secret was still on the device.
    expect(texts(inFlight)).toEqual(['in flight']);

    // Seized after openUntil instead: the node had pruned the medium-term secret, and nothing sealed to it opens.
    const openUntil = Math.max(...bobSecrets.list().filter((prekey) => !prekey.oneTime).map((prekey) => prekey.openUntil)) * 1000;
    const later = seize(bobId, bobRecords);
    await later.prekeys.prune(openUntil + 1000);
    for (const each of mediumTerm) expect(await attempt(each.envelope, later)).toEqual({ opened: false, code: 'PREKEY_GONE' });

    // Healing: Bob is back, takes the in-flight message and keeps talking; whatever Alice seals to prekeys made after
    // the seizure does not open with the seized material.
    bob = await startBob();
    await receive(bob, 1);
    const before = captured.length;
    for (const text of ['after 1', 'after 2', 'after 3', 'after 4']) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const handle = await alice.send(bobId.card, text, { ttl: TTL });
      await receive(bob, 1);
      expect(await handle.settled(settled)).toBe('delivered');
    }
    const after = captured.slice(before).filter((each) => {
      const id = inspect(each.bytes).prekeys?.[0]?.id;
      return id !== undefined && !seized.ids.has(id);
    });
    expect(after.length).toBeGreaterThanOrEqual(2);
    for (const envelope of after) expect((await attempt(envelope, seized)).opened).toBe(false);
  }, 60_000);
});
