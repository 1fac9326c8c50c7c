/**
 * A second, independent opener of the Herald v2 envelope, written from
 * docs/protocol.md section 17 alone (with sections 7.5–7.8 for the inner part
 * and section 16 for the KEMs), on libsodium and noble's X-Wing
 * (`ml_kem768_x25519`, an X-Wing implementation independent of core's). It
 * imports nothing from core's envelope or prekey code; from '@herald/core' it
 * takes only what produces inputs (identities, prekeys, `sealV2`) and `open` to
 * compare refusals against.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import sodium from 'libsodium-wrappers-sumo';
import { describe, expect, it } from 'vitest';
import { generateIdentity, generatePrekeys, identityFromSecrets, open, sealV2, type Identity, type PrekeyKind } from '@herald/core';
import { ascii, cat, hex, readU32, RefusedError, refuse as refuseWith, unhex, utf8Strict, xor } from './independent-bytes.js';

await sodium.ready;

const D = {
  messageId: ascii('herald/v2/message-id'),
  kek: ascii('herald/v2/kek'),
  signature: ascii('herald/v2/envelope-signature'),
  x25519Kem: ascii('herald/v2/x25519-kem'),
  routingTag: ascii('herald/v1/routing-tag'),
};

/** §17.2: kind byte → (name, KEM ciphertext bytes). */
const KINDS: Record<number, { kind: PrekeyKind; c: number }> = { 0x01: { kind: 'xwing', c: 1120 }, 0x02: { kind: 'x25519', c: 32 } };
const refuse = (code: string): never => refuseWith(code, `step refused (${code})`);
const REGISTERED = ['application/octet-stream', 'text/plain; charset=utf-8', 'application/json', 'application/vnd.herald.ack'];
const PRECEDENCE = ['ROUTINE', 'PRIORITY', 'IMMEDIATE', 'FLASH'];

/** What the opener holds: its identity's X25519 pair, and its prekey secrets by hex id (the KEM seed of section 16). */
interface Me {
  agreementSecret: Uint8Array;
  agreementPublic: Uint8Array;
  prekeys: Map<string, { kind: PrekeyKind; seed: Uint8Array }>;
}

/** Section 16's decapsulation, from the seed: X-Wing by noble; the x25519 KEM as BLAKE2b-256 keyed by its domain over DH ‖ ciphertext ‖ public key. */
function decapsulate(kind: PrekeyKind, seed: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (kind === 'xwing') return ml_kem768_x25519.decapsulate(ciphertext, seed);
  const dh = sodium.crypto_scalarmult(seed, ciphertext);
  return sodium.crypto_generichash(32, cat(dh, ciphertext, sodium.crypto_scalarmult_base(seed)), D.x25519Kem);
}

/** §17.5 opening, steps 2–15 (no size limit, seen-set or contacts: key-form senders only). */
function independentOpenV2(bytes: Uint8Array, me: Me, nowMs: number) {
  const nowS = Math.floor(nowMs / 1000);
  if (bytes.length === 0) refuse('MALFORMED'); // 2
  if (bytes[0] !== 0x02) refuse('UNSUPPORTED_VERSION'); // 3
  if (bytes.length < 38) refuse('MALFORMED'); // 4
  const n = bytes[37]!;
  if (n === 0) refuse('MALFORMED'); // 5
  const entries: { tag: Uint8Array; kind: PrekeyKind; id: Uint8Array; ct: Uint8Array; wrap?: Uint8Array; kindByte: number }[] = [];
  let at = 38;
  for (let index = 0; index < n; index++) {
    if (bytes.length - at < 25) refuse('MALFORMED'); // 6
    const kindByte = bytes[at + 16]!;
    const known = KINDS[kindByte] ?? refuse('UNSUPPORTED_VERSION'); // 6a
    const size = 25 + known.c + (n > 1 ? 32 : 0);
    if (bytes.length - at < size) refuse('MALFORMED'); // 6b
    const tag = bytes.subarray(at, at + 16);
    if (entries.some((entry) => hex(entry.tag) === hex(tag))) refuse('MALFORMED'); // 6c
    const ct = bytes.subarray(at + 25, at + 25 + known.c);
    entries.push({ tag, kind: known.kind, kindByte, id: bytes.subarray(at + 17, at + 25), ct, ...(n > 1 ? { wrap: bytes.subarray(at + 25 + known.c, at + size) } : {}) });
    at += size;
  }
  const H = at;
  if (bytes.length < H + 16 + 78) refuse('MALFORMED'); // 7
  const expires = readU32(bytes, 1);
  if (expires + 300 < nowS) refuse('EXPIRED'); // 8
  const E = bytes.subarray(5, 37);
  const id = sodium.crypto_generichash(16, E, D.messageId); // 9
  const myTag = sodium.crypto_generichash(16, me.agreementPublic, D.routingTag);
  const mine = entries.find((entry) => sodium.memcmp(entry.tag, myTag)) ?? refuse('NOT_FOR_ME'); // 10
  const secret = me.prekeys.get(hex(mine.id)) ?? refuse('PREKEY_GONE'); // 11
  if (secret.kind !== mine.kind) refuse('DECRYPT_FAILED'); // 12
  const ss = decapsulate(mine.kind, secret.seed, mine.ct);
  let dh: Uint8Array;
  try {
    dh = sodium.crypto_scalarmult(me.agreementSecret, E); // 13
  } catch {
    return refuse('DECRYPT_FAILED');
  }
  const kek = sodium.crypto_generichash(32, cat(D.kek, Uint8Array.of(mine.kindByte), E, me.agreementPublic, mine.id, mine.ct), cat(ss, dh)); // 14
  const key = mine.wrap ? xor(mine.wrap, kek) : kek;
  const header = bytes.subarray(0, H);
  let inner: Uint8Array;
  try {
    inner = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, bytes.subarray(H), header, cat(id, new Uint8Array(8)), key);
  } catch {
    return refuse('DECRYPT_FAILED');
  }
  // 15: section 9 steps 13–20, key-form sender, with the v2 signature domain.
  const meta = inner[0]!;
  if ((meta & 0xe0) !== 0 || (meta & 0x08) !== 0) refuse('MALFORMED');
  const typeLength = inner[1] === 0xff ? 2 + inner[2]! : 1;
  const contentType = inner[1] === 0xff ? utf8Strict(inner.subarray(3, 3 + inner[2]!)) : (REGISTERED[inner[1]!] ?? refuse('MALFORMED'));
  const senderAt = 1 + typeLength;
  const bodyAt = senderAt + 32 + 4 + 64;
  if (inner.length < bodyAt) refuse('MALFORMED');
  let bodyEnd = inner.length;
  if ((meta & 0x04) !== 0) {
    bodyEnd = inner.length - 1;
    while (bodyEnd >= 0 && inner[bodyEnd] === 0) bodyEnd--;
    if (bodyEnd < bodyAt || inner[bodyEnd] !== 0x80) refuse('MALFORMED');
  }
  const sender = inner.subarray(senderAt, senderAt + 32);
  const created = inner.subarray(senderAt + 32, senderAt + 36);
  const body = inner.subarray(bodyAt, bodyEnd);
  const signed = cat(D.signature, header, Uint8Array.of(meta), inner.subarray(1, senderAt), sender, created, body);
  if (!sodium.crypto_sign_verify_detached(inner.subarray(senderAt + 36, bodyAt), signed, sender)) refuse('BAD_SIGNATURE');
  const createdS = readU32(created, 0);
  if (createdS > expires || expires - createdS > 34_560_000) refuse('MALFORMED');
  if (createdS > nowS + 300) refuse('NOT_YET_VALID');
  return { plaintext: body.slice(), id: hex(id), expires, sender: hex(sender), precedence: PRECEDENCE[meta & 0x03], contentType, prekey: { id: hex(mine.id), kind: mine.kind } };
}

function codeOf(run: () => unknown): string {
  try {
    run();
    return 'OK';
  } catch (error) {
    if (error instanceof RefusedError) return error.code;
    throw error;
  }
}

// Inputs for the comparison with the library. Prekey seeds are the two draws of generatePrekeys (id, then seed).
const NOW = 1_800_000_000_000;
const seedOf = (label: string, length = 32): Uint8Array => new Uint8Array(createHash('sha512').update(`independent v2 opener: ${label}`).digest().subarray(0, length));
const alice = generateIdentity({ label: 'Alice', now: NOW });
const bob = generateIdentity({ label: 'Bob', now: NOW });
const carol = generateIdentity({ label: 'Carol', now: NOW });
function prekeyOf(owner: Identity, kind: PrekeyKind, label: string) {
  const draws = [seedOf(`${label} id`, 8), seedOf(`${label} seed`)];
  const seed = draws[1]!.slice();
  const [owned] = generatePrekeys(owner, { kind, now: NOW - 60_000, random: () => draws.shift()! });
  return { signed: owned!.prekey, secret: owned!, seed };
}
const meOf = (identity: Identity, ...prekeys: { signed: { id: Uint8Array; kind: PrekeyKind }; seed: Uint8Array }[]): Me => ({
  agreementSecret: identity.agreementSecretKey,
  agreementPublic: identity.card.agreementPublicKey,
  prekeys: new Map(prekeys.map((prekey) => [hex(prekey.signed.id), { kind: prekey.signed.kind, seed: prekey.seed }])),
});

describe('independent v2 opener from docs/protocol.md section 17', () => {
  it('opens every v2 test vector as every recipient (§17.8)', () => {
    const people = new Map(
      (JSON.parse(readFileSync(new URL('./vectors/identities.json', import.meta.url), 'utf8')) as { label: string; signingSeed: string; agreementSecretKey: string; created: number }[]).map((vector) => [
        vector.label,
        identityFromSecrets(unhex(vector.signingSeed), unhex(vector.agreementSecretKey), vector.label, vector.created),
      ]),
    );
    const vectors = JSON.parse(readFileSync(new URL('./vectors/envelopes-v2.json', import.meta.url), 'utf8')) as {
      name: string;
      from: string;
      to: string[];
      prekeys: { kind: PrekeyKind; id: string; seed: string; publicKey: string }[];
      plaintext: string;
      options: { precedence?: string; contentType?: string };
      now: number;
      envelope: string;
      id: string;
      expires: number;
    }[];
    expect(vectors.length).toBe(4);
    for (const vector of vectors) {
      vector.to.forEach((label, index) => {
        const prekey = vector.prekeys[index]!;
        // Section 16: the public key follows from the seed (X-Wing: noble's key generation).
        const publicKey = prekey.kind === 'xwing' ? ml_kem768_x25519.keygen(unhex(prekey.seed)).publicKey : sodium.crypto_scalarmult_base(unhex(prekey.seed));
        expect(hex(publicKey)).toBe(prekey.publicKey);
        const identity = people.get(label)!;
        const me: Me = { agreementSecret: identity.agreementSecretKey, agreementPublic: identity.card.agreementPublicKey, prekeys: new Map([[prekey.id, { kind: prekey.kind, seed: unhex(prekey.seed) }]]) };
        const opened = independentOpenV2(unhex(vector.envelope), me, vector.now);
        expect(hex(opened.plaintext), vector.name).toBe(vector.plaintext);
        expect(opened.id).toBe(vector.id);
        expect(opened.expires).toBe(vector.expires);
        expect(opened.precedence).toBe(vector.options.precedence ?? 'ROUTINE');
        expect(opened.contentType).toBe(vector.options.contentType ?? 'application/octet-stream');
        expect(opened.sender).toBe(hex(people.get(vector.from)!.card.signingPublicKey));
      });
    }
  });

  it.each(['xwing', 'x25519'] as const)('opens what the library seals and refuses what it refuses (%s)', async (kind) => {
    const bobPrekey = prekeyOf(bob, kind, `${kind} Bob`);
    const carolPrekey = prekeyOf(carol, kind, `${kind} Carol`);
    const me = meOf(bob, bobPrekey);
    const single = sealV2('from the library', { from: alice, to: { card: bob.card, prekey: bobPrekey.signed }, now: NOW, pad: false });
    const multi = sealV2(new Uint8Array(500), { from: alice, to: [{ card: carol.card, prekey: carolPrekey.signed }, { card: bob.card, prekey: bobPrekey.signed }], now: NOW, contentType: 'application/x-test' });
    expect(new TextDecoder().decode(independentOpenV2(single, me, NOW).plaintext)).toBe('from the library');
    expect(independentOpenV2(multi, me, NOW).plaintext.length).toBe(500);

    const entry = 25 + (kind === 'xwing' ? 1120 : 32) + 32;
    const copy = (bytes: Uint8Array, edit: (copy: Uint8Array) => void): Uint8Array => {
      const out = bytes.slice();
      edit(out);
      return out;
    };
    const scenarios: [string, Uint8Array, Me, string][] = [
      ['accepted', multi, me, 'OK'],
      ['version 3', copy(multi, (b) => (b[0] = 3)), me, 'UNSUPPORTED_VERSION'],
      ['no recipients', copy(multi, (b) => (b[37] = 0)), me, 'MALFORMED'],
      ['unknown kind', copy(multi, (b) => (b[38 + 16] = 0x07)), me, 'UNSUPPORTED_VERSION'],
      ['entry cut short', multi.subarray(0, 38 + entry + 30), me, 'MALFORMED'],
      ['tag listed twice', copy(multi, (b) => b.set(b.subarray(38 + entry, 38 + entry + 16), 38)), me, 'MALFORMED'],
      ['not for me', multi, meOf(alice), 'NOT_FOR_ME'],
      ['prekey gone', multi, meOf(bob), 'PREKEY_GONE'],
      ['prekey id altered', copy(multi, (b) => (b[38 + entry + 17]! ^= 1)), me, 'PREKEY_GONE'],
      ['KEM ciphertext altered', copy(multi, (b) => (b[38 + entry + 30]! ^= 1)), me, 'DECRYPT_FAILED'],
      ['wrap altered', copy(multi, (b) => (b[38 + 2 * entry - 1]! ^= 1)), me, 'DECRYPT_FAILED'],
      ['ciphertext altered', copy(multi, (b) => (b[b.length - 20]! ^= 1)), me, 'DECRYPT_FAILED'],
      ['expired', multi, me, 'EXPIRED'],
    ];
    for (const [name, bytes, opener, expected] of scenarios) {
      const now = name === 'expired' ? NOW + 86_400_000 + 301_000 : NOW;
      const secrets = [...opener.prekeys.keys()].map((id) => (id === hex(bobPrekey.signed.id) ? bobPrekey : undefined)).filter((prekey) => prekey !== undefined);
      const identity = opener.agreementPublic === alice.card.agreementPublicKey ? alice : bob;
      const library = await open(bytes, { identity, prekeys: { get: (id) => { const found = secrets.find((prekey) => hex(prekey.signed.id) === hex(id)); return found && { prekey: found.signed, secretKey: found.secret.secretKey.slice() }; } }, now }).then(
        () => 'OK',
        (error: { code: string }) => error.code,
      );
      const independent = codeOf(() => independentOpenV2(bytes, opener, now));
      expect({ name, library, independent }).toEqual({ name, library: expected, independent: expected });
    }
  });
});
