import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blindedMailbox, cardToFile, createNode, generateIdentity, memoryStore, type HeraldNode, type Identity } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { publishRevocations, webSocketTransport } from '@herald/transport-websocket';
import { encodeChain, fingerprintBytes, issueCertificate, issueRevocationList, revocationListToText, type CertificateChain } from '@herald/trust';
import { epochIdentity } from './helpers/epoch-mail.js';
import { FAST, until } from './helpers/nodes.js';
import { rawClient } from './helpers/raw-client.js';
import { removeTempDirs, spawnRelay, tempDir, type RelayProcess } from './helpers/relay-process.js';

/** Admission by organisation certificate, against the relay as a real process (docs/relay-protocol.md 4.1). */
const DAY = 86_400_000;
const now = Date.now();
const root = generateIdentity({ label: 'Mission X' });
const certify = (identity: Identity, validity = { notBefore: now - DAY, notAfter: now + 30 * DAY }): CertificateChain => [issueCertificate({ issuer: root, subject: identity.card, role: 'member', ...validity })];
const { CLOSE_CODES } = protocol;

let relay: RelayProcess;
let listPath: string;
const nodes: HeraldNode[] = [];

async function publish(list: ReturnType<typeof issueRevocationList>): Promise<void> {
  // Replaced in one rename, as an operator's copy tool should: the relay never reads half a file.
  await writeFile(`${listPath}.tmp`, revocationListToText(list));
  await rename(`${listPath}.tmp`, listPath);
}

beforeAll(async () => {
  const dir = await tempDir('herald-admission-');
  const cardPath = join(dir, 'mission-x.card');
  listPath = join(dir, 'mission-x.revocations');
  await writeFile(cardPath, cardToFile(root.card));
  await publish(issueRevocationList({ issuer: root, serial: 1, entries: [] }));
  relay = await spawnRelay({ config: { admitAuthorities: [cardPath], admitRevocations: listPath, authTimeoutMs: 2000 } });
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await relay.kill('SIGTERM');
  await removeTempDirs();
});

/** Shows `chain` (raw bytes, or none), authenticates as `identity`, and returns how the relay answered. */
async function attempt(identity: Identity, chain: Uint8Array | undefined): Promise<{ welcomed: boolean; close?: { code: number; reason: string }; client: Awaited<ReturnType<typeof rawClient>> }> {
  const client = await rawClient(relay.url);
  if (chain) client.send(protocol.encodeCertificate(chain));
  client.send(protocol.answerChallenge(identity, client.challenge, protocol.canonicalRelayUrl(relay.url), true));
  const outcome = await Promise.race([client.next((frame) => frame.type === 'welcome').then(() => 'welcome' as const), client.closed]);
  return outcome === 'welcome' ? { welcomed: true, client } : { welcomed: false, close: outcome, client };
}

describe('relay admission by organisation certificate (real relay process)', () => {
  it('admits certified nodes end to end', async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const start = async (identity: Identity, contact: Identity): Promise<HeraldNode> => {
      const channel = webSocketTransport({ url: relay.url, identity, certificate: encodeChain(certify(identity)), ...FAST });
      const node = createNode({ identity, contacts: [contact.card], store: memoryStore(), channels: [channel], policy: { ackDeadlineMs: { ROUTINE: 5000, PRIORITY: 5000, IMMEDIATE: 5000, FLASH: 5000 } } });
      await node.start();
      nodes.push(node);
      return node;
    };
    const aliceNode = await start(alice, bob);
    const bobNode = await start(bob, alice);
    const handle = await aliceNode.send(bob.card, 'through a certified relay');
    const [message] = await (async () => {
      for await (const received of bobNode.messages({ signal: AbortSignal.timeout(15_000) })) {
        await received.ack();
        return [received];
      }
      return [];
    })();
    expect(message?.text).toBe('through a certified relay');
    expect(await handle.settled({ signal: AbortSignal.timeout(15_000) })).toBe('delivered');
  });

  it('refuses the uncertified, the forged, the expired and a chain shown for another key, naming the code', async () => {
    const mallory = generateIdentity({ label: 'Mallory' });
    const impostor = generateIdentity({ label: 'Mission X' });
    const forged = encodeChain([issueCertificate({ issuer: impostor, subject: mallory.card, notAfter: now + DAY })]);
    const expired = encodeChain(certify(mallory, { notBefore: now - 10 * DAY, notAfter: now - 2 * DAY }));
    const stolen = encodeChain(certify(generateIdentity({ label: 'Alice' })));
    const cases: [Uint8Array | undefined, string][] = [
      [undefined, 'UNCERTIFIED'],
      [forged, 'UNTRUSTED_AUTHORITY'],
      [expired, 'CERT_EXPIRED'],
      [stolen, 'BAD_CERTIFICATE'],
      [Uint8Array.of(1, 0, 3, 1, 2, 3), 'BAD_CERTIFICATE'],
    ];
    for (const [chain, code] of cases) {
      const result = await attempt(mallory, chain);
      expect(result.welcomed, code).toBe(false);
      expect(result.close?.code).toBe(CLOSE_CODES.NOT_ALLOWED);
      expect(result.close?.reason).toContain(code);
    }
    // Counted as authentication failures, by reason.
    expect(await relay.metric('herald_relay_auth_failures_total{reason="not-admitted"}')).toBe(cases.length);
    expect((await relay.get('/healthz')).status).toBe(200);
  });

  it('a newer revocation list closes a revoked client at once and keeps it out; an older list is refused', async () => {
    const carol = generateIdentity({ label: 'Carol' });
    const dave = generateIdentity({ label: 'Dave' });
    const carolSession = await attempt(carol, encodeChain(certify(carol)));
    const daveSession = await attempt(dave, encodeChain(certify(dave)));
    expect(carolSession.welcomed && daveSession.welcomed).toBe(true);

    const revokedAt = Date.now();
    await publish(issueRevocationList({ issuer: root, serial: 2, entries: [{ fingerprint: fingerprintBytes(carol.card.signingPublicKey), reason: 'lost' }] }));
    const closed = await carolSession.client.closed;
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    expect(closed.code).toBe(CLOSE_CODES.NOT_ALLOWED);
    expect(closed.reason).toContain('REVOKED');
    expect(daveSession.client.socket.readyState).toBe(daveSession.client.socket.OPEN);
    // The list in force is the one just issued: what the HeraldRevocationListStale alert watches.
    const issued = await relay.metric('herald_relay_revocation_list_issued_timestamp_seconds');
    expect(issued).toBeGreaterThanOrEqual(Math.floor(revokedAt / 1000) - 1);
    expect(issued).toBeLessThanOrEqual(Date.now() / 1000);

    const again = await attempt(carol, encodeChain(certify(carol)));
    expect(again.close?.reason).toContain('REVOKED');

    // An older list (serial 1 again) is refused: Carol stays out.
    await publish(issueRevocationList({ issuer: root, serial: 1, entries: [] }));
    await until('the relay to refuse the older list', () => relay.logs().includes('revocation list refused'), 10_000);
    expect(relay.logs()).toMatch(/older than list 2/);
    expect((await attempt(carol, encodeChain(certify(carol)))).close?.reason).toContain('REVOKED');
    daveSession.client.socket.close();
  });

  it('takes a revocation list pushed in a REVOCATIONS frame, without AUTH: the revoked client is closed; forged, older and untrusted lists are refused', async () => {
    const erin = generateIdentity({ label: 'Erin' });
    const frank = generateIdentity({ label: 'Frank' });
    const erinSession = await attempt(erin, encodeChain(certify(erin)));
    const frankSession = await attempt(frank, encodeChain(certify(frank)));
    expect(erinSession.welcomed && frankSession.welcomed).toBe(true);

    const list = issueRevocationList({ issuer: root, serial: 3, entries: [{ fingerprint: fingerprintBytes(erin.card.signingPublicKey), reason: 'compromised' }] });
    await publishRevocations({ url: relay.url, list: list.bytes });
    const closed = await erinSession.client.closed;
    expect(closed.code).toBe(CLOSE_CODES.NOT_ALLOWED);
    expect(closed.reason).toContain('REVOKED');
    expect(frankSession.client.socket.readyState).toBe(frankSession.client.socket.OPEN);
    expect((await attempt(erin, encodeChain(certify(erin)))).close?.reason).toContain('REVOKED');
    // The same list again is fine (already held).
    await publishRevocations({ url: relay.url, list: list.bytes });

    const forged = list.bytes.slice();
    forged[forged.length - 1]! ^= 1;
    const older = issueRevocationList({ issuer: root, serial: 2, entries: [] });
    const stranger = issueRevocationList({ issuer: generateIdentity({ label: 'Mission X' }), serial: 9, entries: [{ fingerprint: fingerprintBytes(frank.card.signingPublicKey) }] });
    for (const [bytes, why] of [[forged, 'does not verify'], [older.bytes, 'older than'], [stranger.bytes, 'UNTRUSTED_AUTHORITY']] as const) {
      await expect(publishRevocations({ url: relay.url, list: bytes }), why).rejects.toMatchObject({ code: 'CHANNEL_REJECTED', message: expect.stringContaining(why) });
    }
    expect(frankSession.client.socket.readyState).toBe(frankSession.client.socket.OPEN);

    // Before AUTH, one list per connection.
    const client = await rawClient(relay.url);
    client.send(protocol.encodeRevocations(7, list.bytes));
    client.send(protocol.encodeRevocations(8, list.bytes));
    expect(await client.next((frame) => frame.type === 'accepted')).toMatchObject({ requestIds: [7] });
    expect(await client.next((frame) => frame.type === 'error')).toMatchObject({ code: protocol.ERROR_CODES.RATE_LIMITED, requestId: 8 });
    client.socket.close();
    frankSession.client.socket.close();
  });

  it('refuses MAILBOX_AUTH with 4003 "identity required", even from a certified client: admission needs the identity key', async () => {
    const carol = epochIdentity(86_400);
    const client = await rawClient(relay.url);
    client.send(protocol.encodeCertificate(encodeChain(certify(carol))));
    client.send(protocol.answerMailboxChallenge([blindedMailbox(carol, 20_429)], client.challenge, protocol.canonicalRelayUrl(relay.url)));
    expect(await client.closed).toEqual({ code: CLOSE_CODES.NOT_ALLOWED, reason: 'NOT_ALLOWED: identity required' });
    // The same client with AUTH is admitted: the relay then sees its identity key (threat model section 10.5).
    expect((await attempt(carol, encodeChain(certify(carol)))).welcomed).toBe(true);
  });
});
