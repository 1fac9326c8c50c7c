import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, generateIdentity, writeSecretKeyFile, type Identity } from '@herald/core';
import { relayProtocol } from '@herald/transport-websocket';
import { chainToText, encodeChain, issueCertificate, parseChain, parseRevocationList } from '@herald/trust';
import { rawClient } from '../../relay/test/helpers/raw-client.js';
import { herald, run, until } from './process-kit.js';

/** herald incident lost-device against a real relay that admits by certificate and real listening nodes. */
const workdir = await mkdtemp(join(tmpdir(), 'herald-incident-'));
const stops: (() => void)[] = [];
afterAll(async () => {
  for (const stop of stops) stop();
  await rm(workdir, { recursive: true, force: true });
});

const root = generateIdentity({ label: 'Mission X' });

async function ok(args: string[]): Promise<string> {
  const result = await herald(args, { cwd: workdir });
  expect(result.code, `herald ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout.toString();
}

async function member(name: string): Promise<{ identity: Identity; key: string; card: string; data: string }> {
  const identity = generateIdentity({ label: name });
  const key = join(workdir, `${name}.key`);
  const card = join(workdir, `${name}.card`);
  const data = join(workdir, `${name}-data`);
  await writeSecretKeyFile(key, identity);
  await writeFile(card, cardToFile(identity.card));
  await writeFile(join(workdir, `${name}.cert`), chainToText([issueCertificate({ issuer: root, subject: identity.card, role: 'member', notAfter: Date.now() + 30 * 86_400_000 })]));
  await ok(['trust', 'authority', 'org.card', '--data-dir', data]);
  await ok(['trust', 'certificate', `${name}.cert`, '--data-dir', data]);
  return { identity, key, card, data };
}

/** Authenticates at the relay as `identity` with its certificate, as a node does: 'welcome', or the relay's close reason. */
async function admission(url: string, identity: Identity, certificate: string): Promise<string> {
  const client = await rawClient(url);
  client.send(relayProtocol.encodeCertificate(encodeChain(parseChain(certificate))));
  client.send(relayProtocol.answerChallenge(identity, client.challenge, relayProtocol.canonicalRelayUrl(url), true));
  const outcome = await Promise.race([client.next((frame) => frame.type === 'welcome', 15_000).then(() => 'welcome'), client.closed.then((closed) => closed.reason)]);
  client.socket.close();
  return outcome;
}

describe('herald incident lost-device', () => {
  it('revokes, cuts the key at the relay, gets the list to every member FLASH, and prints the remaining steps', async () => {
    await writeSecretKeyFile(join(workdir, 'org.key'), root);
    await writeFile(join(workdir, 'org.card'), cardToFile(root.card));
    const relay = run(['relay', '--listen', '127.0.0.1:0', '--data-dir', join(workdir, 'relay'), '--admit-authority', join(workdir, 'org.card'), '--log-level', 'warn']);
    stops.push(() => relay.child.kill('SIGKILL'));
    await until(() => /relay listening on ws:\/\/\S+/.test(relay.output()), 30_000, 'the relay to listen');
    const url = /relay listening on (ws:\/\/\S+)/.exec(relay.output())![1]!;

    const [ops, bob, carol] = [await member('ops'), await member('bob'), await member('carol')];
    for (const [who, contacts] of [[ops, [bob, carol]], [carol, [ops, bob]], [bob, [ops, carol]]] as const) {
      for (const contact of contacts) await ok(['contacts', 'add', contact.card, '--data-dir', who.data]);
    }
    const node = (who: typeof ops): string[] => ['--key', who.key, '--via', url, '--data-dir', who.data];
    // Bob's device is online when it is lost: the relay holds his connection.
    const bobListening = run(['listen', ...node(bob)]);
    const carolListening = run(['listen', '--json', ...node(carol)]);
    stops.push(() => bobListening.child.kill('SIGKILL'), () => carolListening.child.kill('SIGKILL'));
    await ok(['send', ...node(bob), '--to', 'carol', '--wait', '60s', 'before the loss']);
    await until(() => carolListening.output().includes('before the loss'), 60_000, 'Carol to get Bob\'s message');

    const incident = await herald(['incident', 'lost-device', '--org', 'org.key', '--card', 'bob.card', ...node(ops), '--wait', '60s'], { cwd: workdir });
    const report = incident.stdout.toString();
    expect(incident.code, `${report}\n${incident.stderr}`).toBe(0);
    expect(report).toContain(`revoked   bob ${bob.identity.card.fingerprint} (lost): revocation list 1`);
    expect(report).toContain(`relay     ${url}: key cut`);
    expect(report).toMatch(/member {4}carol .*: holds the list \(acknowledged\)/);
    expect(report).not.toMatch(/member {4}bob/);
    expect(report).toMatch(/remaining steps:\n {2}1\. Copy .*org\.revocations over every relay's --admit-revocations file/);
    const list = parseRevocationList(await readFile(join(workdir, 'org.revocations'), 'utf8'));
    expect(list.entries.map((entry) => entry.reason)).toEqual(['lost']);

    // The relay refuses Bob from now on (that it closes his open connection at once: relay admission test).
    expect(await admission(url, bob.identity, await readFile(join(workdir, 'bob.cert'), 'utf8'))).toMatch(/^NOT_ALLOWED: REVOKED/);
    expect(await admission(url, carol.identity, await readFile(join(workdir, 'carol.cert'), 'utf8'))).toBe('welcome');

    // Carol's node holds the list (a control message: consumed, never shown as a message).
    carolListening.child.kill('SIGTERM');
    expect(await carolListening.exited).toBe(0);
    expect(carolListening.output()).not.toContain('herald-revocations');
    expect(await ok(['trust', 'show', '--data-dir', carol.data])).toContain('revocation list 1 from');

    // Run again for someone else while the relay is down: exit 3, the relay named as not told, the steps say what to do.
    relay.child.kill('SIGTERM');
    await relay.exited;
    const dave = await member('dave');
    const second = await herald(['incident', 'lost-device', '--org', 'org.key', '--card', dave.card, '--reason', 'compromised', ...node(ops), '--wait', '2s'], { cwd: workdir });
    expect(second.code).toBe(3);
    expect(second.stdout.toString()).toContain(`relay     ${url}: NOT told`);
    expect(second.stdout.toString()).toMatch(/Relays not told \(ws:/);
    expect(parseRevocationList(await readFile(join(workdir, 'org.revocations'), 'utf8')).serial).toBe(2);
  }, 300_000);
});
