import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToFile, fromBase64Url, generateIdentity, toBase64Url, writeSecretKeyFile } from '@herald/core';
import { herald as run } from './process-kit.js';

/** herald seal --prekeys, open --data-dir and inspect with version-2 envelopes, as real processes. */
const dir = await mkdtemp(join(tmpdir(), 'herald-seal-v2-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const at = (name: string): string => join(dir, name);
const env = { HERALD_KDF_STRENGTH: 'interactive', HERALD_PASSPHRASE: '' };
const herald = (args: string[], input: Uint8Array | string = '') => run(args, { input, env });

beforeAll(async () => {
  for (const label of ['alice', 'bob', 'carol']) {
    const identity = generateIdentity({ label });
    await writeSecretKeyFile(at(`${label}.key`), identity);
    await writeFile(at(`${label}.card`), cardToFile(identity.card));
  }
  // Bob's bundle holds his medium-term prekey; Carol's one one-time prekey, made for that export alone.
  expect((await herald(['prekey', 'new', '--key', at('bob.key'), '--data-dir', at('bob-data'), '--kind', 'xwing'])).code).toBe(0);
  expect((await herald(['prekey', 'export', '--key', at('bob.key'), '--data-dir', at('bob-data'), '--out', at('bob.prekeys')])).code).toBe(0);
  expect((await herald(['prekey', 'export', '--key', at('carol.key'), '--data-dir', at('carol-data'), '--out', at('carol.prekeys'), '--one-time', '1', '--kind', 'x25519'])).code).toBe(0);
});

describe('herald with version-2 envelopes', () => {
  it('seals v2 with --prekeys, inspects it, opens it with the prekey secrets, and deletes a used one-time secret', async () => {
    const sealed = await herald(['seal', '--from', at('alice.key'), '--to', at('bob.card'), '--to', at('carol.card'), '--prekeys', at('bob.prekeys'), '--prekeys', at('carol.prekeys'), '--ttl', '1h'], 'forward secret');
    expect(sealed.stderr).toBe('');
    const envelope = sealed.stdout;
    expect(envelope[0]).toBe(2);

    const outline = await herald(['inspect'], envelope);
    expect(outline.stdout.toString()).toMatch(/^version: 2$/m);
    expect(outline.stdout.toString()).toMatch(/^prekey: xwing [0-9a-f]{16}$/m);
    expect(outline.stdout.toString()).toMatch(/^prekey: x25519 [0-9a-f]{16}$/m);
    expect(outline.stdout.toString()).toMatch(/^post-quantum: no$/m);

    const bob = await herald(['open', '--key', at('bob.key'), '--data-dir', at('bob-data')], envelope);
    expect(bob.stdout.toString()).toBe('forward secret');
    expect(bob.stderr).toMatch(/^version: 2$/m);
    expect(bob.stderr).toMatch(/^prekey: [0-9a-f]{16} xwing$/m);
    expect((await herald(['open', '--key', at('bob.key')], envelope)).stderr).toMatch(/^error PREKEY_GONE: /);

    const carol = await herald(['open', '--key', at('carol.key'), '--data-dir', at('carol-data')], envelope);
    expect(carol.stdout.toString()).toBe('forward secret');
    expect(carol.stderr).toMatch(/one-time \(secret deleted\)/);
    const again = await herald(['open', '--key', at('carol.key'), '--data-dir', at('carol-data')], envelope);
    expect(again).toMatchObject({ code: 1 });
    expect(again.stderr).toMatch(/^error PREKEY_GONE: /);
    // A copy of the data dir taken afterwards (a seized device) holds no secret that opens it either.
    await cp(at('carol-data'), at('carol-seized'), { recursive: true });
    const seized = await herald(['open', '--key', at('carol.key'), '--data-dir', at('carol-seized')], envelope);
    expect(seized).toMatchObject({ code: 1 });
    expect(seized.stderr).toMatch(/^error PREKEY_GONE: /);
  });

  it('refuses rather than fall back to version 1, and refuses another identity\'s or an altered bundle', async () => {
    const missing = await herald(['seal', '--from', at('alice.key'), '--to', at('bob.card'), '--to', at('carol.card'), '--prekeys', at('bob.prekeys')], 'x');
    expect(missing.code).not.toBe(0);
    expect(missing.stdout.length).toBe(0);
    expect(missing.stderr).toMatch(/no --prekeys bundle for .*refusing to seal without forward secrecy/);

    const forged = await herald(['seal', '--from', at('alice.key'), '--to', at('bob.card'), '--prekeys', at('carol.prekeys')], 'x');
    expect(forged.stdout.length).toBe(0);
    expect(forged.stderr).toMatch(/no --prekeys bundle for/);

    const text = (await readFile(at('bob.prekeys'), 'utf8')).trim();
    const bytes = fromBase64Url(text.slice('herald-prekeys:'.length));
    bytes[bytes.length - 1]! ^= 1;
    const altered = await herald(['seal', '--from', at('alice.key'), '--to', at('bob.card'), '--prekeys', `herald-prekeys:${toBase64Url(bytes)}`], 'x');
    expect(altered.stdout.length).toBe(0);
    expect(altered.stderr).toMatch(/^error BAD_PREKEY: /);

    const tooLong = await herald(['seal', '--from', at('alice.key'), '--to', at('bob.card'), '--prekeys', at('bob.prekeys'), '--ttl', '30d'], 'x');
    expect(tooLong.stdout.length).toBe(0);
    expect(tooLong.stderr).toMatch(/has no prekey whose secret is kept until the envelope expires/);
  });
});
