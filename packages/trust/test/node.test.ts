import { afterEach, describe, expect, it } from 'vitest';
import { ACK_CONTENT_TYPE, createNode, decodePrekeyed, generateIdentity, memoryPrekeySecretStore, memoryStore, open, PREKEYED_CONTENT_TYPE, type Card, type PrekeySecretStore, type HeraldNode, type HeraldStore, type Identity, type NodeEvent, type NodePolicy, type ReceivedMessage, type RetiredIdentity } from '@herald/core';
import { CERTIFIED_CONTENT_TYPE, REVOCATION_CONTENT_TYPE, ROTATION_CONTENT_TYPE, createRotation, createTrust, fingerprintBytes, issueCertificate, issueRevocationList, revocationListToText, type CertificateChain, type Trust, type TrustEvent, type TrustStore, memoryTrustStore } from '@herald/trust';
import { DAY, HOUR, organisation } from './helpers.js';
import { medium } from './medium.js';

const FAST: NodePolicy = { ackDeadlineMs: { FLASH: 300, IMMEDIATE: 300, PRIORITY: 300, ROUTINE: 300 }, retriesPerChannel: 0, retryMinDelayMs: 20, maxBackoffMs: 200, sendTimeoutMs: 500 };

interface Running {
  node: HeraldNode;
  store: HeraldStore;
  prekeys: PrekeySecretStore;
  trust: Trust;
  events: NodeEvent[];
  trustEvents: TrustEvent[];
  rejected(): string[];
}
const running: HeraldNode[] = [];
afterEach(async () => void (await Promise.all(running.splice(0).map((node) => node.stop()))));

async function start(m: ReturnType<typeof medium>, identity: Identity, init: { anchors: readonly Card[]; chain?: CertificateChain; contacts?: Card[]; require?: boolean; retired?: RetiredIdentity[]; store?: HeraldStore; trustStore?: TrustStore; prekeys?: PrekeySecretStore }): Promise<Running> {
  const prekeys = init.prekeys ?? memoryPrekeySecretStore(identity);
  const store = init.store ?? memoryStore();
  const trust = await createTrust({ anchors: init.anchors, ...(init.trustStore ? { store: init.trustStore } : {}), ...(init.chain ? { chain: init.chain } : {}), ...(init.require !== undefined ? { require: init.require } : {}) });
  const node = createNode({ identity, contacts: init.contacts ?? [], store, channels: [m.channel()], policy: FAST, trust, prekeys, ...(init.retired ? { retiredIdentities: init.retired } : {}) });
  const events: NodeEvent[] = [];
  const trustEvents: TrustEvent[] = [];
  node.subscribe((event) => events.push(event));
  trust.subscribe((event) => trustEvents.push(event));
  await node.start();
  running.push(node);
  return { node, store, prekeys, trust, events, trustEvents, rejected: () => events.flatMap((event) => (event.type === 'rejected' ? [event.code] : [])) };
}

async function receive(node: HeraldNode, count: number, timeoutMs = 5_000): Promise<ReceivedMessage[]> {
  const out: ReceivedMessage[] = [];
  for await (const message of node.messages({ signal: AbortSignal.timeout(timeoutMs) })) {
    out.push(message);
    await message.ack();
    if (out.length >= count) break;
  }
  return out;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The content types of envelopes from `sender` in the medium's log, as `reader` opens them (with its prekeys, inside any prekey container). */
async function sentTypes(m: ReturnType<typeof medium>, reader: Identity, sender: Identity, prekeys?: PrekeySecretStore): Promise<string[]> {
  const types: string[] = [];
  for (const bytes of m.log) {
    try {
      const opened = await open(bytes, { identity: reader, ...(prekeys ? { prekeys } : {}) });
      const contentType = opened.contentType === PREKEYED_CONTENT_TYPE ? decodePrekeyed(opened.plaintext)?.contentType : opened.contentType;
      if (opened.sender.fingerprint === sender.card.fingerprint && contentType !== ACK_CONTENT_TYPE && contentType) types.push(contentType);
    } catch {
      // Not for the reader.
    }
  }
  return types;
}

describe('nodes under an organisation trust policy', () => {
  it('a valid chain: a certified stranger gets through, its chain travels until acknowledged, then is cached', async () => {
    const m = medium();
    const org = organisation();
    const alice = org.member('Alice', org.office, [org.officeCert]);
    const bob = org.member('Bob');
    const bobNode = await start(m, bob.identity, { anchors: org.anchors, chain: bob.chain });
    const aliceNode = await start(m, alice.identity, { anchors: org.anchors, chain: alice.chain, contacts: [bob.identity.card] });

    expect(await (await aliceNode.node.send(bob.identity.card, 'first')).settled()).toBe('delivered');
    const [first] = await receive(bobNode.node, 1);
    expect(first?.text).toBe('first');
    expect(first?.contentType).toBe('text/plain; charset=utf-8');
    expect(first?.sender.label).toBe('Alice');
    expect(first?.trust).toMatchObject({ authority: org.root.card.fingerprint, authorityLabel: 'Mission X', role: 'member', chainLength: 2 });
    expect(bobNode.trustEvents.some((event) => event.type === 'certified')).toBe(true);

    expect(await (await aliceNode.node.send(bob.identity.card, 'second')).settled()).toBe('delivered');
    // The first envelope carried the chain; once Bob acknowledged it, the second did not. Read before Bob processes the
    // second: it is sealed to one of his one-time prekeys, whose secret goes once he has.
    expect(await sentTypes(m, bob.identity, alice.identity, bobNode.prekeys)).toEqual([CERTIFIED_CONTENT_TYPE, 'text/plain; charset=utf-8']);
    const [second] = await receive(bobNode.node, 1);
    expect(second?.trust?.role).toBe('member');

    // Bob answers the stranger with the card her certificate carried.
    await bobNode.node.send(first!.sender.card!, 'roger');
    expect((await receive(aliceNode.node, 1))[0]?.text).toBe('roger');
  });

  it('uncertified, expired, forged and too-deep senders are refused with their codes, never delivered', async () => {
    const m = medium();
    const now = Date.now();
    const org = organisation(now);
    const bob = org.member('Bob');
    const bobNode = await start(m, bob.identity, { anchors: org.anchors, chain: bob.chain });
    const plain = generateIdentity({ label: 'Plain contact' });
    const expired = org.member('Expired', org.root, [], { notBefore: now - 10 * DAY, notAfter: now - DAY });
    const impostor = generateIdentity({ label: 'Mission X' });
    const forgedSubject = generateIdentity({ label: 'Forged' });
    const forged = [issueCertificate({ issuer: impostor, subject: forgedSubject.card, notAfter: now + DAY })];
    const lead = generateIdentity({ label: 'Lead' });
    const leadCert = issueCertificate({ issuer: org.office, subject: lead.card, notAfter: now + DAY, authority: { pathLength: 0 } });
    const deep = org.member('Deep', lead, [leadCert, org.officeCert]);
    const stolen = org.member('Stolen chain owner');
    const thief = generateIdentity({ label: 'Thief' });
    const cases: [Identity, CertificateChain | undefined, string][] = [
      [plain, undefined, 'UNCERTIFIED'],
      [expired.identity, expired.chain, 'CERT_EXPIRED'],
      [forgedSubject, forged, 'UNTRUSTED_AUTHORITY'],
      [deep.identity, deep.chain, 'PATH_LENGTH_EXCEEDED'],
      [thief, stolen.chain, 'BAD_CERTIFICATE'],
    ];
    for (const [identity, chain, code] of cases) {
      const sender = await start(m, identity, { anchors: org.anchors, contacts: [bob.identity.card], require: false, ...(chain ? { chain } : {}) });
      await sender.node.send(bob.identity.card, `from ${identity.card.label}`);
      await until(() => bobNode.rejected().includes(code));
    }
    const delivered: ReceivedMessage[] = [];
    for await (const message of bobNode.node.messages({ signal: AbortSignal.timeout(300) })) delivered.push(message);
    expect(delivered).toEqual([]);
  });

  it('revoked mid-conversation: a revocation list arrives as a Herald message, the next message is refused; an older list is refused', async () => {
    const m = medium();
    const org = organisation();
    const alice = org.member('Alice');
    const bob = org.member('Bob');
    const ops = org.member('Ops officer');
    const bobNode = await start(m, bob.identity, { anchors: org.anchors, chain: bob.chain, contacts: [alice.identity.card] });
    const aliceNode = await start(m, alice.identity, { anchors: org.anchors, chain: alice.chain, contacts: [bob.identity.card] });
    const opsNode = await start(m, ops.identity, { anchors: org.anchors, chain: ops.chain, contacts: [bob.identity.card] });

    expect(await (await aliceNode.node.send('Bob', 'before')).settled()).toBe('delivered');
    expect((await receive(bobNode.node, 1))[0]?.text).toBe('before');
    // Alice's prekeys came with her message.
    expect((await bobNode.store.getContactPrekeys(alice.identity.card.fingerprint))?.prekeys.length).toBeGreaterThan(0);

    const older = issueRevocationList({ issuer: org.root, serial: 1, entries: [] });
    const newer = issueRevocationList({ issuer: org.root, serial: 2, entries: [{ fingerprint: fingerprintBytes(alice.identity.card.signingPublicKey), reason: 'lost' }] });
    expect(await (await opsNode.node.send('Bob', newer.bytes, { contentType: REVOCATION_CONTENT_TYPE })).settled()).toBe('delivered');
    expect(bobNode.trust.revocationLists().map((list) => list.serial)).toEqual([2]);
    expect(bobNode.trustEvents.some((event) => event.type === 'revocations')).toBe(true);
    // The list alone deletes the revoked key's prekeys, before any send to it.
    await until(async () => (await bobNode.store.getContactPrekeys(alice.identity.card.fingerprint)) === undefined);

    await aliceNode.node.send('Bob', 'after');
    await until(() => bobNode.rejected().includes('REVOKED'));
    // Her new message carried prekeys again: none are kept.
    expect(await bobNode.store.getContactPrekeys(alice.identity.card.fingerprint)).toBeUndefined();
    await expect(bobNode.node.send('Alice', 'to a revoked key')).rejects.toMatchObject({ code: 'REVOKED' });

    await opsNode.node.send('Bob', older.bytes, { contentType: REVOCATION_CONTENT_TYPE });
    await until(() => bobNode.rejected().includes('STALE_REVOCATION_LIST'));
    await expect(bobNode.trust.importRevocationList(revocationListToText(older))).rejects.toMatchObject({ code: 'STALE_REVOCATION_LIST' });
    expect(bobNode.trust.revocationLists().map((list) => list.serial)).toEqual([2]);
    // A list from someone who is no authority is refused too.
    const rogue = issueRevocationList({ issuer: ops.identity, serial: 9, entries: [] });
    await expect(bobNode.trust.importRevocationList(rogue)).rejects.toMatchObject({ code: 'UNTRUSTED_AUTHORITY' });
  });

  it('rotation with messages in flight: mail sealed to the old key still opens, contacts switch to the new key by themselves', async () => {
    const m = medium();
    const org = organisation();
    const alice = org.member('Alice');
    const bob1 = org.member('Bob');
    // Bob's data dir: the node store and the trust store outlive the identity change.
    const bobStore = memoryStore();
    const bobTrustStore = memoryTrustStore();
    const aliceNode = await start(m, alice.identity, { anchors: org.anchors, chain: alice.chain, contacts: [bob1.identity.card] });
    const oldBob = await start(m, bob1.identity, { anchors: org.anchors, chain: bob1.chain, contacts: [alice.identity.card], store: bobStore, trustStore: bobTrustStore });
    // The old key's prekey secrets stay with Bob through the grace period, as his key does.
    expect(await (await aliceNode.node.send('Bob', 'hello')).settled()).toBe('delivered');
    await receive(oldBob.node, 1);
    await oldBob.node.stop();

    // Bob is offline; Alice's message waits at the relay, sealed to his old key.
    const inFlight = await aliceNode.node.send('Bob', 'in flight');
    const bob2 = generateIdentity({ label: 'Bob' });
    const statement = createRotation(bob1.identity, bob2);
    const chain2 = [issueCertificate({ issuer: org.root, subject: bob2.card, role: 'member', notBefore: Date.now() - HOUR, notAfter: Date.now() + 30 * DAY })];
    const newBob = await start(m, bob2, { anchors: org.anchors, chain: chain2, contacts: [alice.identity.card], store: bobStore, trustStore: bobTrustStore, retired: [{ identity: bob1.identity, until: Date.now() + HOUR, prekeys: oldBob.prekeys }] });
    expect((await receive(newBob.node, 1))[0]?.text).toBe('in flight');
    await newBob.node.send(alice.identity.card, statement.bytes, { contentType: ROTATION_CONTENT_TYPE });

    // The old key, kept for the grace period, acknowledges what was sealed to it.
    expect(await inFlight.settled({ signal: AbortSignal.timeout(10_000) })).toBe('delivered');
    expect(aliceNode.trustEvents).toContainEqual(expect.objectContaining({ type: 'rotated' }));
    expect(aliceNode.trust.successor?.(bob1.identity.card).fingerprint).toBe(bob2.card.fingerprint);

    // No manual step: "Bob" (the old card in Alice's contacts) now means the new key, and the old key's prekeys are forgotten.
    expect(await aliceNode.store.getContactPrekeys(bob1.identity.card.fingerprint)).toBeDefined();
    expect(await (await aliceNode.node.send('Bob', 'after rotation')).settled()).toBe('delivered');
    expect(await aliceNode.store.getContactPrekeys(bob1.identity.card.fingerprint)).toBeUndefined();
    const [after] = await receive(newBob.node, 1);
    expect(after?.text).toBe('after rotation');
    expect(after?.trust?.role).toBe('member');
  });

  it('a key revoked as lost or compromised cannot name a successor; one revoked as superseded can', async () => {
    for (const reason of ['lost', 'compromised', 'superseded'] as const) {
      const m = medium();
      const org = organisation();
      const alice = org.member('Alice');
      const bob1 = org.member('Bob');
      const aliceNode = await start(m, alice.identity, { anchors: org.anchors, chain: alice.chain, contacts: [bob1.identity.card] });
      await aliceNode.trust.importRevocationList(issueRevocationList({ issuer: org.root, serial: 1, entries: [{ fingerprint: fingerprintBytes(bob1.identity.card.signingPublicKey), reason }] }));
      // Certified, so that only the old key's revocation decides (a thief could not get this certificate).
      const bob2 = generateIdentity({ label: 'Bob' });
      const chain2 = [issueCertificate({ issuer: org.root, subject: bob2.card, role: 'member', notBefore: Date.now() - HOUR, notAfter: Date.now() + 30 * DAY })];
      const newBob = await start(m, bob2, { anchors: org.anchors, chain: chain2, contacts: [alice.identity.card] });
      await newBob.node.send(alice.identity.card, createRotation(bob1.identity, bob2).bytes, { contentType: ROTATION_CONTENT_TYPE });
      if (reason === 'superseded') {
        await until(() => aliceNode.trustEvents.some((event) => event.type === 'rotated'));
        expect(aliceNode.trust.successor?.(bob1.identity.card).fingerprint).toBe(bob2.card.fingerprint);
      } else {
        await until(() => aliceNode.rejected().includes('BAD_ROTATION'));
        expect({ reason, rotated: aliceNode.trustEvents.some((event) => event.type === 'rotated') }).toEqual({ reason, rotated: false });
      }
    }
  });

  it('after the grace period the old key no longer opens anything', async () => {
    const m = medium();
    const org = organisation();
    const carol = org.member('Carol');
    const bob1 = org.member('Bob');
    const bob2 = org.member('Bob');
    const bobNode = await start(m, bob2.identity, { anchors: org.anchors, chain: bob2.chain, retired: [{ identity: bob1.identity, until: Date.now() - 1 }] });
    const carolNode = await start(m, carol.identity, { anchors: org.anchors, chain: carol.chain, contacts: [bob1.identity.card] });
    await carolNode.node.send('Bob', 'too late');
    await until(() => bobNode.rejected().includes('NOT_FOR_ME'));
  });
});
