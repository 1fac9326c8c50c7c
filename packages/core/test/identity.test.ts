import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cardToFile,
  cardToText,
  decodeCard,
  exportIdentity,
  fingerprintMatches,
  generateIdentity,
  importIdentity,
  isPassphraseProtected,
  parseCard,
  readSecretKeyFile,
  writeSecretKeyFile,
} from '@herald/core';
import { expectCode } from './helpers.js';

const folder = await mkdtemp(join(tmpdir(), 'herald-identity-'));
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('contact cards', () => {
  const alice = generateIdentity({ label: 'Alice (Kyiv office)' });

  it('round trips as one line of text and as a file', () => {
    const line = cardToText(alice.card);
    expect(line).toMatch(/^herald-card:[A-Za-z0-9_-]+$/);
    expect(parseCard(line).fingerprint).toBe(alice.card.fingerprint);
    const file = cardToFile(alice.card);
    expect(file).toContain(alice.card.fingerprint);
    const parsed = parseCard(file);
    expect(parsed.label).toBe('Alice (Kyiv office)');
    expect(parsed.agreementPublicKey).toEqual(alice.card.agreementPublicKey);
  });

  it('refuses a card whose keys or label were altered, since the card is self-signed', () => {
    for (const offset of [1, 40, 66, 72]) {
      const bytes = alice.card.bytes.slice();
      bytes[offset]! ^= 1;
      expect(() => decodeCard(bytes)).toThrowError(expect.objectContaining({ code: 'BAD_CARD' }));
    }
    expect(() => parseCard('herald-card:not base64!')).toThrowError(expect.objectContaining({ code: 'BAD_CARD' }));
    expect(() => parseCard('hello')).toThrowError(expect.objectContaining({ code: 'BAD_CARD' }));
  });

  it('prints a fingerprint of 25 Crockford base32 characters in five groups, matched forgivingly', () => {
    expect(alice.card.fingerprint).toMatch(/^([0-9A-HJKMNP-TV-Z]{5} ){4}[0-9A-HJKMNP-TV-Z]{5}$/);
    const typed = alice.card.fingerprint.toLowerCase().replace(/ /g, '-').replace(/0/g, 'o').replace(/1/g, 'l');
    expect(fingerprintMatches(alice.card, typed)).toBe(true);
    expect(fingerprintMatches(generateIdentity().card, alice.card.fingerprint)).toBe(false);
    expect(() => fingerprintMatches(alice.card, 'UUUUU')).toThrowError(expect.objectContaining({ code: 'BAD_FINGERPRINT' }));
  });

  it('refuses labels that are too long or carry control characters', () => {
    expect(() => generateIdentity({ label: 'x'.repeat(65) })).toThrowError(/label/);
    expect(() => generateIdentity({ label: 'a\nb' })).toThrowError(/control/);
  });
});

describe('secret key files', () => {
  it('are written with mode 0600, never overwritten by accident, and read back', async () => {
    const identity = generateIdentity({ label: 'Bob' });
    const path = join(folder, 'bob.key');
    await writeSecretKeyFile(path, identity);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await expect(writeSecretKeyFile(path, identity)).rejects.toThrow(/EEXIST/);
    const loaded = await readSecretKeyFile(path);
    expect(loaded.card.bytes).toEqual(identity.card.bytes);
    expect(loaded.signingSecretKey).toEqual(identity.signingSecretKey);
  });

  it('can be protected by a passphrase (Argon2id)', async () => {
    const identity = generateIdentity({ label: 'Carol' });
    const text = exportIdentity(identity, { passphrase: 'correct horse', strength: 'interactive' });
    expect(isPassphraseProtected(text)).toBe(true);
    expect(text).not.toContain(Buffer.from(identity.signingSeed).toString('base64').slice(0, 12));
    expect(importIdentity(text, 'correct horse').card.fingerprint).toBe(identity.card.fingerprint);
    await expectCode(() => importIdentity(text, 'wrong horse'), 'BAD_PASSPHRASE');
    await expectCode(() => importIdentity(text), 'PASSPHRASE_REQUIRED');
  });

  it('refuses damaged key files with BAD_KEY_FILE', async () => {
    const text = exportIdentity(generateIdentity());
    await expectCode(() => importIdentity('nonsense'), 'BAD_KEY_FILE');
    await expectCode(() => importIdentity(text.replace(/\n([A-Za-z0-9+/]{10})/, '\n!!!!!!!!!!')), 'BAD_KEY_FILE');
    const path = join(folder, 'truncated.key');
    await writeFile(path, text.split('\n').slice(0, 1).join('\n') + '\nAAAA\n-----END HERALD SECRET KEY-----\n');
    await expectCode(readSecretKeyFile(path), 'BAD_KEY_FILE');
  });
});
