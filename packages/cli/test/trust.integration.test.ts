import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, generateIdentity, readSecretKeyFile, writeSecretKeyFile } from '@herald/core';
import { chainToText, issueCertificate } from '@herald/trust';

/** Organisation trust through the herald command as real processes: authority, certificates, revocation, verification, rotation. */
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const workdir = await mkdtemp(join(tmpdir(), 'herald-trust-'));
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(workdir, { recursive: true, force: true });
});

function herald(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: workdir, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    // spawn's types cannot tell from a stdio array built at run time which streams are pipes.
    if (!child.stdout || !child.stderr) throw new Error('herald: the child has no stdout/stderr pipe');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (stdin !== undefined) child.stdin!.end(stdin);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(args: string[], stdin?: string): Promise<string> {
  const result = await herald(args, stdin);
  expect(result.code, `herald ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

interface Listener {
  child: ChildProcess;
  messages: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function listen(args: string[]): Listener {
  const child = spawn(process.execPath, [bin, 'listen', '--json', ...args], { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const listener: Listener = { child, messages: [], exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) listener.messages.push(JSON.parse(line) as Record<string, unknown>);
  });
  return listener;
}

async function stop(listener: Listener): Promise<void> {
  listener.child.kill('SIGTERM');
  expect(await listener.exited).toBe(0);
  children.delete(listener.child);
}

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Keys, certificates and data dirs for members of one authority (org.key in workdir). Keys and most certificates
 * come from the library (each herald process costs a second or more on a loaded machine); `certify` runs the CLI.
 */
async function member(name: string, options: { role?: string; certify?: 'cli' | 'library' } = {}): Promise<{ key: string; card: string; data: string; fingerprint: string }> {
  const key = join(workdir, `${name}.key`);
  const identity = generateIdentity({ label: name });
  await writeSecretKeyFile(key, identity);
  await writeFile(join(workdir, `${name}.card`), cardToFile(identity.card));
  const data = join(workdir, `${name}-data`);
  const cert =
    options.certify === 'cli'
      ? await ok(['org', 'certify', '--org', 'org.key', '--card', `${name}.card`, ...(options.role ? ['--role', options.role] : []), '--expires', '30d'])
      : chainToText([issueCertificate({ issuer: await readSecretKeyFile(join(workdir, 'org.key')), subject: identity.card, role: options.role ?? '', notAfter: Date.now() + 30 * 86_400_000 })]);
  await writeFile(join(workdir, `${name}.cert`), cert);
  const fingerprint = identity.card.fingerprint;
  await ok(['trust', 'authority', 'org.card', '--data-dir', data]);
  await ok(['trust', 'certificate', `${name}.cert`, '--data-dir', data]);
  return { key, card: join(workdir, `${name}.card`), data, fingerprint };
}

describe('herald org, trust, contacts verify and rotate', () => {
  it('certified members talk; the listener shows the in-person mark and the role; uncertified and revoked senders do not get through; an older list is refused', async () => {
    const authority = await ok(['org', 'init', '--out', 'org.key', '--label', 'Mission X']);
    expect(authority).toMatch(/^authority Mission X\nfingerprint [0-9A-Z ]{29}\n/);
    const shown = await ok(['org', 'show', 'org.card']);
    expect(shown).toContain(authority.split('\n')[1]!);
    const alice = await member('alice', { role: 'radio operator', certify: 'cli' });
    const bob = await member('bob');
    const ops = await member('ops', { role: 'operations' });
    expect(await ok(['org', 'show', 'alice.cert'])).toContain('role radio operator');

    // Bob compares Alice's fingerprint as she reads it out (any case, spaces or none).
    await ok(['contacts', 'verify', alice.card, '--fingerprint', alice.fingerprint.toLowerCase().replace(/ /g, ''), '--data-dir', bob.data]);
    const wrong = await herald(['contacts', 'verify', ops.card, '--fingerprint', alice.fingerprint, '--data-dir', bob.data]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('error FINGERPRINT_MISMATCH');
    expect(await ok(['contacts', 'list', '--data-dir', bob.data])).toMatch(/alice {2}\(verified\)/);

    const spool = join(workdir, 'spool');
    await mkdir(spool);
    const via = ['--via', `dir:${spool}`];
    const listener = listen(['--key', bob.key, ...via, '--data-dir', bob.data]);
    await ok(['send', '--key', alice.key, '--to', bob.card, ...via, '--data-dir', alice.data, '--wait', '60s', 'certified hello']);
    await until(() => listener.messages.length === 1);
    expect(listener.messages[0]).toMatchObject({ text: 'certified hello', label: 'alice', verified: true, role: 'radio operator', authorityLabel: 'Mission X' });

    // A stranger with no certificate: stored in its outbox, never acknowledged, never shown.
    const carolIdentity = generateIdentity({ label: 'carol' });
    await writeSecretKeyFile(join(workdir, 'carol.key'), carolIdentity);
    const carol = await herald(['send', '--key', 'carol.key', '--to', bob.card, ...via, '--data-dir', join(workdir, 'carol-data'), '--wait', '2s', 'let me in']);
    expect(carol.code).toBe(3);

    // The authority revokes Alice (list 1), then also Carol (list 2); ops sends list 2 as a Herald message.
    await ok(['org', 'revoke', '--org', 'org.key', '--fingerprint', alice.fingerprint, '--reason', 'lost']);
    await copyFile(join(workdir, 'org.revocations'), join(workdir, 'list-1.revocations'));
    const second = await ok(['org', 'revoke', '--org', 'org.key', '--fingerprint', carolIdentity.card.fingerprint, '--reason', 'compromised']);
    expect(second).toMatch(/revocation list 2 by/);
    await ok(['send', '--key', ops.key, '--to', bob.card, ...via, '--data-dir', ops.data, '--wait', '60s', '--content-type', 'application/vnd.herald.revocation'], await readFile(join(workdir, 'org.revocations'), 'utf8'));
    const refused = await herald(['send', '--key', alice.key, '--to', bob.card, ...via, '--data-dir', alice.data, '--wait', '2s', 'from a lost phone']);
    expect(refused.code).toBe(3);
    await stop(listener);
    expect(listener.messages.map((message) => message.text)).toEqual(['certified hello']);

    expect(await ok(['trust', 'show', '--data-dir', bob.data])).toContain('revocation list 2 from');
    const stale = await herald(['trust', 'revocations', 'list-1.revocations', '--data-dir', bob.data]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('error STALE_REVOCATION_LIST');
    const again = await herald(['org', 'revoke', '--org', 'org.key', '--fingerprint', alice.fingerprint, '--serial', '2']);
    expect(again.stderr).toContain('error STALE_REVOCATION_LIST');
  }, 300_000);

  it('rotation: mail in flight to the old key opens, the contact switches to the new key by itself', async () => {
    const dave = await member('dave');
    const erin = await member('erin');
    await ok(['contacts', 'add', erin.card, '--data-dir', dave.data]);
    await ok(['contacts', 'add', dave.card, '--data-dir', erin.data]);
    const spool = join(workdir, 'spool-rotation');
    await mkdir(spool);
    const via = ['--via', `dir:${spool}`];
    // Erin writes first (her message carries her prekeys) and Dave's node takes it in, so what he sends her next is
    // version 2, sealed to one of her old key's prekeys.
    expect((await herald(['send', '--key', erin.key, '--to', 'dave', ...via, '--data-dir', erin.data, '--wait', '2s', 'hello'])).code).toBe(3);
    const warmUp = listen(['--key', dave.key, ...via, '--data-dir', dave.data]);
    await until(() => warmUp.messages.length === 1);
    await stop(warmUp);
    // Erin is offline: the message waits in the spool, sealed to her old key.
    const inFlight = await herald(['send', '--key', dave.key, '--to', 'erin', ...via, '--data-dir', dave.data, '--wait', '1s', 'in flight']);
    expect(inFlight.code).toBe(3);
    const inFlightId = inFlight.stdout.toString().trim();
    const outbox = (await ok(['outbox', '--json', '--data-dir', dave.data])).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(outbox.find((record) => record.id === inFlightId)).toMatchObject({ envelopeVersion: 2 });

    const rotated = await ok(['rotate', '--key', erin.key, '--out', 'erin2.key', '--data-dir', erin.data]);
    expect(rotated).toContain(`${erin.fingerprint} -> `);
    await writeFile(join(workdir, 'erin2.cert'), await ok(['org', 'certify', '--org', 'org.key', '--card', 'erin2.card']));
    await ok(['trust', 'certificate', 'erin2.cert', '--data-dir', erin.data]);
    const newFingerprint = (await ok(['fingerprint', '--aloud', 'erin2.card'])).split('\n')[0]!;

    const erinListener = listen(['--key', join(workdir, 'erin2.key'), ...via, '--data-dir', erin.data]);
    const daveListener = listen(['--key', dave.key, ...via, '--data-dir', dave.data]);
    await until(() => erinListener.messages.length === 1);
    expect(erinListener.messages[0]).toMatchObject({ text: 'in flight', label: 'dave', envelopeVersion: 2 });
    // Dave's node replaces the card in its data dir when the rotation arrives.
    await until(async () => (await readdir(join(dave.data, 'contacts')).catch((): string[] => [])).includes(`${newFingerprint.replace(/ /g, '')}.card`), 45_000);
    await stop(daveListener);

    // No manual step: "erin" now means the new key, and the message in flight was acknowledged.
    await ok(['send', '--key', dave.key, '--to', 'erin', ...via, '--data-dir', dave.data, '--wait', '60s', 'after rotation']);
    await until(() => erinListener.messages.length === 2);
    expect(erinListener.messages[1]).toMatchObject({ text: 'after rotation' });
    await stop(erinListener);
    expect(await ok(['outbox', '--data-dir', dave.data])).toContain('no pending messages');
  }, 300_000);

  it('herald relay --admit-authority: certified nodes get through, a stranger does not, and a rotated node still collects its old mailbox', async () => {
    const relayDir = join(workdir, 'relay');
    const relay = spawn(process.execPath, [bin, 'relay', '--listen', '127.0.0.1:0', '--data-dir', relayDir, '--admit-authority', join(workdir, 'org.card'), '--log-level', 'warn'], { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(relay);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      relay.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /relay listening on (ws:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      relay.on('exit', (code) => reject(new Error(`relay exited with ${code}`)));
    });
    const via = ['--via', url];
    const frank = await member('frank');
    const grace = await member('grace');
    await ok(['contacts', 'add', grace.card, '--data-dir', frank.data]);
    await ok(['contacts', 'add', frank.card, '--data-dir', grace.data]);
    // Grace is offline: the relay keeps the message in her (old key's) mailbox.
    expect((await herald(['send', '--key', frank.key, '--to', 'grace', ...via, '--data-dir', frank.data, '--wait', '1s', 'held by the relay'])).code).toBe(3);
    await ok(['rotate', '--key', grace.key, '--out', 'grace2.key', '--data-dir', grace.data]);
    const grace2 = await readSecretKeyFile(join(workdir, 'grace2.key'));
    await writeFile(join(workdir, 'grace2.cert'), chainToText([issueCertificate({ issuer: await readSecretKeyFile(join(workdir, 'org.key')), subject: grace2.card, notAfter: Date.now() + 86_400_000 })]));
    await ok(['trust', 'certificate', 'grace2.cert', '--data-dir', grace.data]);
    // The new key's node collects the old key's mailbox too (as the old key, certified), and opens what was sealed to it.
    const graceListener = listen(['--key', join(workdir, 'grace2.key'), ...via, '--data-dir', grace.data]);
    await until(() => graceListener.messages.length === 1, 60_000);
    expect(graceListener.messages[0]).toMatchObject({ text: 'held by the relay', label: 'frank' });

    const stranger = generateIdentity({ label: 'stranger' });
    await writeSecretKeyFile(join(workdir, 'stranger.key'), stranger);
    const refused = await herald(['send', '--key', 'stranger.key', '--to', 'grace2.card', ...via, '--data-dir', join(workdir, 'stranger-data'), '--wait', '2s', 'let me in']);
    // Stored in its outbox (exit 3), or given up once the relay refused it for good (exit 1): never delivered.
    expect([1, 3]).toContain(refused.code);
    await stop(graceListener);
    expect(graceListener.messages).toHaveLength(1);
    relay.kill('SIGTERM');
  }, 300_000);
});
