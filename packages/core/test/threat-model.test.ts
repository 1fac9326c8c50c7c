/**
 * Claims of docs/threat-model.md that no other test checked (its section 18 maps every claim to its test).
 */
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { exportIdentity, generateIdentity, importIdentity, memorySeenSet, open, seal, secureRandom, toHex, type Precedence } from '@herald/core';
import { fromBase64, toBase64, writeU32 } from '../src/bytes.js';
import { craftEnvelope } from './craft.js';
import { expectCode, scriptedRandom } from './helpers.js';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const carol = generateIdentity({ label: 'Carol' });
const NOW = 1_800_000_000_000;
const EPHEMERAL = 'a1'.repeat(32);

describe('threat model section 3: what the outer header shows', () => {
  it('neither precedence, content type nor sender changes a byte of the header or the size', () => {
    const sealedWith = (precedence: Precedence, contentType: string, from = alice): Uint8Array =>
      seal(new Uint8Array(300).fill(7), { from, to: bob.card, precedence, contentType, now: NOW, random: scriptedRandom(EPHEMERAL) });
    const reference = sealedWith('ROUTINE', 'application/octet-stream');
    const header = (bytes: Uint8Array): string => toHex(bytes.subarray(0, 54));
    for (const other of [sealedWith('FLASH', 'application/octet-stream'), sealedWith('ROUTINE', 'application/json'), sealedWith('IMMEDIATE', 'application/octet-stream', carol)]) {
      expect(other.length).toBe(reference.length);
      expect(header(other)).toBe(header(reference));
      // The same header, so the difference is all inside the AEAD.
      expect(toHex(other)).not.toBe(toHex(reference));
    }
  });
});

describe('threat model section 8: implementation hygiene', () => {
  it('records an id as seen only once the envelope is fully authenticated', async () => {
    const seen = memorySeenSet();
    const forgeries = [
      craftEnvelope({ from: carol, entries: [bob.card], body: new Uint8Array(10), badSignature: true }),
      craftEnvelope({ from: carol, entries: [bob.card], body: new Uint8Array(10), meta: 0x08, senderField: carol.card.keyId }),
      craftEnvelope({ from: carol, entries: [bob.card.routingTag], body: new Uint8Array(10) }),
    ];
    for (const [index, bytes] of forgeries.entries()) {
      await expectCode(open(bytes, { identity: bob, seen }), ['BAD_SIGNATURE', 'UNKNOWN_SENDER', 'DECRYPT_FAILED'][index]!);
      expect(seen.size).toBe(0);
    }
    await open(seal('genuine', { from: alice, to: bob.card }), { identity: bob, seen });
    expect(seen.size).toBe(1);
  });

  it('seal overwrites the ephemeral secret and the content key it drew', () => {
    const drawn: Uint8Array[] = [];
    const random = (length: number): Uint8Array => {
      const bytes = secureRandom(length);
      drawn.push(bytes);
      return bytes;
    };
    seal('erase the keys', { from: alice, to: [bob.card, carol.card], random });
    expect(drawn.map((bytes) => bytes.length)).toEqual([32, 32]);
    for (const bytes of drawn) expect(bytes.every((byte) => byte === 0)).toBe(true);
  });

  it('no package source calls Math.random, and secureRandom never hands out the same bytes twice', async () => {
    const packages = new URL('../../', import.meta.url);
    const offenders: string[] = [];
    for (const name of await readdir(packages)) {
      const sources = await readdir(new URL(`${name}/src/`, packages), { recursive: true }).catch(() => [] as string[]);
      for (const file of sources.filter((path) => path.endsWith('.ts'))) {
        const text = await readFile(new URL(`${name}/src/${file}`, packages), 'utf8');
        if (/Math\.random\s*\(/.test(text)) offenders.push(`${name}/src/${file}`);
      }
    }
    expect(offenders).toEqual([]);
    // Small requests share the pool, large ones bypass it: both kinds, interleaved.
    const drawn = Array.from({ length: 3000 }, (_, index) => toHex(secureRandom(index % 10 === 0 ? 2048 : 16)));
    expect(new Set(drawn).size).toBe(drawn.length);
  });
});

describe('threat model section 9: typed errors', () => {
  it('seal refuses a recipient whose X25519 key gives no shared secret with INVALID_OPTIONS', async () => {
    // decodeCard refuses such a card (BAD_CARD); a Card object can still be built by hand.
    const smallOrder = { ...bob.card, agreementPublicKey: new Uint8Array(32) };
    await expectCode(() => seal('x', { from: alice, to: smallOrder }), 'INVALID_OPTIONS');
    await expectCode(() => seal('x', { from: alice, to: [carol.card, smallOrder] }), 'INVALID_OPTIONS');
  });
});

describe('threat model sections 4.8 and 7: key file protection', () => {
  const unarmor = (text: string): Uint8Array => fromBase64(text.split('\n').slice(1, -2).join(''));
  const armor = (bytes: Uint8Array): string => `-----BEGIN HERALD SECRET KEY-----\n${toBase64(bytes)}\n-----END HERALD SECRET KEY-----\n`;
  const protectedFile = unarmor(exportIdentity(alice, { passphrase: 'correct horse', strength: 'interactive' }));
  const withLimits = (ops: number, mem: number): string => {
    const bytes = protectedFile.slice();
    writeU32(bytes, 5, ops);
    writeU32(bytes, 9, mem);
    return armor(bytes);
  };

  it('lowering the Argon2id parameters in the file makes even the right passphrase fail, so guessing cannot be made cheaper', async () => {
    expect(importIdentity(withLimits(2, 64 * 1024 * 1024), 'correct horse').card.fingerprint).toBe(alice.card.fingerprint);
    await expectCode(() => importIdentity(withLimits(1, 64 * 1024 * 1024), 'correct horse'), 'BAD_PASSPHRASE');
    await expectCode(() => importIdentity(withLimits(2, 32 * 1024 * 1024), 'correct horse'), 'BAD_PASSPHRASE');
  });

  it('refuses parameters above sensitive before any work, so a crafted file cannot exhaust the reader', async () => {
    await expectCode(() => importIdentity(withLimits(5, 64 * 1024 * 1024), 'correct horse'), 'BAD_KEY_FILE');
    await expectCode(() => importIdentity(withLimits(2, 2 * 1024 * 1024 * 1024), 'correct horse'), 'BAD_KEY_FILE');
  });
});
