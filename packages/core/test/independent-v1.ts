/**
 * The second, independent implementation of the Herald v1 envelope that
 * independent-opener.test.ts checks the library against, written from
 * docs/protocol.md alone with libsodium primitives. It imports nothing from
 * core: if it and the library disagree, the document is ambiguous or one of them
 * is wrong (see the test file).
 */
import sodium from 'libsodium-wrappers-sumo';
import { ascii, cat, hex, readU32, refuse, u32, unhex, utf8Strict, xor } from './independent-bytes.js';
import { decodeBase64Doc, isSmallOrderDoc } from './independent-text.js';

await sodium.ready;

// ---------------------------------------------------------------------------
// Primitives and conventions (protocol.md §1, §2)
// ---------------------------------------------------------------------------

export const D = {
  fingerprint: ascii('herald/v1/fingerprint'),
  routingTag: ascii('herald/v1/routing-tag'),
  messageId: ascii('herald/v1/message-id'),
  kek: ascii('herald/v1/kek'),
  envelopeSignature: ascii('herald/v1/envelope-signature'),
  cardSignature: ascii('herald/v1/card-signature'),
};

/** BLAKE2b-(8·outBytes), keyed (§1): libsodium crypto_generichash(outBytes, msg, key). */
const blake2b = (outBytes: number, msg: Uint8Array, key: Uint8Array): Uint8Array => sodium.crypto_generichash(outBytes, msg, key);
const ctEqual = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && sodium.memcmp(a, b);

// ---------------------------------------------------------------------------
// Identities, cards, fingerprints (§3–§5)
// ---------------------------------------------------------------------------

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function fingerprintHash(signingPublicKey: Uint8Array): Uint8Array {
  return blake2b(32, signingPublicKey, D.fingerprint);
}

/** First 125 bits, MSB first, Crockford base32, five groups of five (§5.1). */
export function fingerprintOf(signingPublicKey: Uint8Array): string {
  const h = fingerprintHash(signingPublicKey);
  let chars = '';
  for (let index = 0; index < 25; index++) {
    let value = 0;
    for (let bit = 0; bit < 5; bit++) {
      const position = index * 5 + bit;
      value = (value << 1) | ((h[position >> 3]! >> (7 - (position & 7))) & 1);
    }
    chars += CROCKFORD[value];
  }
  return chars.match(/.{5}/g)!.join(' ');
}

const keyIdOf = (signingPublicKey: Uint8Array): Uint8Array => fingerprintHash(signingPublicKey).slice(0, 8);
const routingTagOf = (agreementPublicKey: Uint8Array): Uint8Array => blake2b(16, agreementPublicKey, D.routingTag);

export interface IndependentIdentity {
  signingPublicKey: Uint8Array;
  signingSecretKey: Uint8Array;
  agreementSecret: Uint8Array;
  agreementPublicKey: Uint8Array;
  routingTag: Uint8Array;
  keyId: Uint8Array;
  cardBytes: Uint8Array;
}

/** §3 and §4.1: secrets → keys → self-signed card. */
export function independentIdentity(signingSeed: Uint8Array, agreementSecret: Uint8Array, label: string, created: number): IndependentIdentity {
  const signing = sodium.crypto_sign_seed_keypair(signingSeed);
  const agreementPublicKey = sodium.crypto_scalarmult_base(agreementSecret);
  const labelBytes = ascii(label);
  const signedPart = cat(Uint8Array.of(1), signing.publicKey, agreementPublicKey, u32(created), Uint8Array.of(labelBytes.length), labelBytes);
  const signature = sodium.crypto_sign_detached(cat(D.cardSignature, signedPart), signing.privateKey);
  return {
    signingPublicKey: signing.publicKey,
    signingSecretKey: signing.privateKey,
    agreementSecret,
    agreementPublicKey,
    routingTag: routingTagOf(agreementPublicKey),
    keyId: keyIdOf(signing.publicKey),
    cardBytes: cat(signedPart, signature),
  };
}

/** §4.1 decoding rules, §4.2 text form. Returns the two public keys. */
export function decodeCardText(text: string): { signingPublicKey: Uint8Array; agreementPublicKey: Uint8Array; label: string } {
  if (!text.startsWith('herald-card:')) refuse('BAD_CARD', 'prefix');
  const body = text.slice('herald-card:'.length);
  const bytes = decodeBase64Doc(body, 'url') ?? refuse('BAD_CARD', 'base64url');
  if (bytes.length < 134) refuse('BAD_CARD', 'short');
  if (bytes[0] !== 1) refuse('BAD_CARD', 'version');
  const labelLength = bytes[69]!;
  if (labelLength > 64 || bytes.length !== 134 + labelLength) refuse('BAD_CARD', 'length');
  const signingPublicKey = bytes.slice(1, 33);
  if (!sodium.crypto_sign_verify_detached(bytes.subarray(70 + labelLength), cat(D.cardSignature, bytes.subarray(0, 70 + labelLength)), signingPublicKey)) {
    refuse('BAD_CARD', 'signature');
  }
  const label = utf8Strict(bytes.subarray(70, 70 + labelLength));
  if (/[\u0000-\u001f\u007f]/.test(label)) refuse('BAD_CARD', 'label');
  const agreementPublicKey = bytes.slice(33, 65);
  if (isSmallOrderDoc(agreementPublicKey)) refuse('BAD_CARD', 'small-order X25519 key'); // step 8
  return { signingPublicKey, agreementPublicKey, label };
}

// ---------------------------------------------------------------------------
// Envelope (§7–§9)
// ---------------------------------------------------------------------------

export const PRECEDENCE_BY_CODE = ['ROUTINE', 'PRIORITY', 'IMMEDIATE', 'FLASH'] as const;
const REGISTERED = ['application/octet-stream', 'text/plain; charset=utf-8', 'application/json', 'application/vnd.herald.ack'];

export const headerLength = (n: number): number => 38 + n * (n === 1 ? 16 : 48);
const messageId = (ephemeral: Uint8Array): Uint8Array => blake2b(16, ephemeral, D.messageId);
const nonceOf = (id: Uint8Array): Uint8Array => cat(id, new Uint8Array(8));
const kekOf = (shared: Uint8Array, ephemeral: Uint8Array, recipientAgreementPublicKey: Uint8Array): Uint8Array =>
  blake2b(32, cat(D.kek, ephemeral, recipientAgreementPublicKey), shared);

export function encodeContentType(contentType: string): Uint8Array {
  const code = REGISTERED.indexOf(contentType);
  if (code >= 0) return Uint8Array.of(code);
  const text = ascii(contentType);
  return cat(Uint8Array.of(0xff, text.length), text);
}

/** §7.5.2; undefined when invalid. */
function decodeContentType(inner: Uint8Array, at: number): { contentType: string; length: number } | undefined {
  const code = inner[at];
  if (code === undefined) return undefined;
  if (code !== 0xff) return code < REGISTERED.length ? { contentType: REGISTERED[code]!, length: 1 } : undefined;
  const m = inner[at + 1];
  if (m === undefined || m === 0 || at + 2 + m > inner.length) return undefined;
  let contentType: string;
  try {
    contentType = utf8Strict(inner.subarray(at + 2, at + 2 + m));
  } catch {
    return undefined;
  }
  return REGISTERED.includes(contentType) ? undefined : { contentType, length: 2 + m };
}

/** §7.8 bucket rule, integer arithmetic only. */
export function bucket(unpaddedInner: number): number {
  const needed = unpaddedInner + 1;
  if (needed <= 256) return 256;
  if (needed <= 16384) {
    let size = 256;
    while (size < needed) size *= 2;
    return size;
  }
  const bitLength = (x: number): number => x.toString(2).length;
  const E = bitLength(needed) - 1;
  const S = bitLength(E);
  const step = 2 ** (E - S);
  return Math.ceil(needed / step) * step;
}

/** §7.5.6 compact text coding: the three tables, character by character; table 3's index 51 is SHIFT. */
const TEXT_TABLES: Record<number, string> = {
  1: ` ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:?'-/()"=+@\n`,
  2: `${Array.from({ length: 95 }, (_, index) => String.fromCharCode(0x20 + index)).join('')}\n`,
  3: ` abcdefghijklmnopqrstuvwxyz0123456789.,:?'-/()"=+@\n`,
};
export const SHIFT = 51;
const radixOf = (id: number): number => TEXT_TABLES[id]!.length + (id === 3 ? 1 : 0);

export function codeWithTableDoc(body: Uint8Array, id: number): Uint8Array | undefined {
  const table = TEXT_TABLES[id]!;
  const digits: number[] = [];
  for (const byte of body) {
    const char = String.fromCharCode(byte);
    if (id === 3 && /[A-Z]/.test(char)) digits.push(SHIFT, table.indexOf(char.toLowerCase()));
    else digits.push(table.indexOf(char));
  }
  if (digits.length > 4096 || digits.includes(-1)) return undefined;
  let n = 1n;
  for (const digit of digits) n = n * BigInt(radixOf(id)) + BigInt(digit);
  const nibbles = n.toString(16);
  return cat(Uint8Array.of(id), unhex(nibbles.length % 2 ? `0${nibbles}` : nibbles));
}

/** The shortest coding, lower table on a tie, and only when shorter than the body. */
export function codeTextDoc(body: Uint8Array): Uint8Array | undefined {
  let best: Uint8Array | undefined;
  for (const id of [1, 2, 3]) {
    const coded = codeWithTableDoc(body, id);
    if (coded && coded.length < (best ?? body).length) best = coded;
  }
  return best;
}

function decodeTextDoc(coded: Uint8Array): Uint8Array {
  const table = TEXT_TABLES[coded[0] ?? -1];
  if (!table) return refuse('MALFORMED', 'unknown text table');
  if (coded.length < 2 || coded[1] === 0) refuse('MALFORMED', 'empty number or leading zero byte');
  const id = coded[0]!;
  if (coded.length - 1 > Math.ceil((4096 * Math.log2(radixOf(id)) + 1) / 8)) refuse('MALFORMED', 'coded text too long');
  let n = BigInt(`0x${hex(coded.subarray(1))}`);
  const radix = BigInt(radixOf(id));
  const digits: number[] = [];
  while (n >= radix) {
    digits.unshift(Number(n % radix));
    n /= radix;
  }
  if (n !== 1n) refuse('MALFORMED', 'length marker is not 1');
  if (digits.length > 4096) refuse('MALFORMED', 'coded text too long');
  let text = '';
  for (let index = 0; index < digits.length; index++) {
    if (id !== 3 || digits[index] !== SHIFT) {
      text += table[digits[index]!]!;
      continue;
    }
    const next = digits[++index];
    if (next === undefined || next < 1 || next > 26) refuse('MALFORMED', 'SHIFT not before a letter');
    text += table[next!]!.toUpperCase();
  }
  return ascii(text);
}

/** The exact byte string the sender signs (§7.7). */
function signedString(header: Uint8Array, meta: number, contentTypeBytes: Uint8Array, senderSigningKey: Uint8Array, created: Uint8Array, body: Uint8Array): Uint8Array {
  return cat(D.envelopeSignature, header, Uint8Array.of(meta), contentTypeBytes, senderSigningKey, created, body);
}

export interface IndependentSealInput {
  from: IndependentIdentity;
  to: readonly { agreementPublicKey: Uint8Array }[];
  body: Uint8Array;
  precedence: number;
  ttl: number;
  contentType: string;
  pad: boolean;
  compactSender: boolean;
  nowMs: number;
  ephemeralSecret: Uint8Array;
  contentKey?: Uint8Array;
  /** §7.5.6: code a text/plain; charset=utf-8 body when a table makes it shorter. */
  compactText?: boolean;
  /** Test hooks, to build invalid envelopes that only an insider could make. */
  metaOverride?: number;
  contentTypeBytesOverride?: Uint8Array;
  createdOverride?: number;
  paddingOverride?: Uint8Array;
}

/** §8, step by step. */
export function independentSeal(input: IndependentSealInput): Uint8Array {
  const n = input.to.length;
  const created = Math.floor(input.nowMs / 1000);
  const expires = created + input.ttl;
  const ephemeral = sodium.crypto_scalarmult_base(input.ephemeralSecret);
  const id = messageId(ephemeral);
  const entries: Uint8Array[] = [];
  let contentKey = n === 1 ? undefined : input.contentKey!;
  for (const recipient of input.to) {
    const kek = kekOf(sodium.crypto_scalarmult(input.ephemeralSecret, recipient.agreementPublicKey), ephemeral, recipient.agreementPublicKey);
    const tag = routingTagOf(recipient.agreementPublicKey);
    if (n === 1) {
      contentKey = kek;
      entries.push(tag);
    } else {
      entries.push(cat(tag, xor(contentKey!, kek)));
    }
  }
  const header = cat(Uint8Array.of(1), u32(expires), ephemeral, Uint8Array.of(n), ...entries);
  const coded = input.compactText && input.contentType === 'text/plain; charset=utf-8' ? codeTextDoc(input.body) : undefined;
  const body = coded ?? input.body;
  const meta = input.metaOverride ?? (input.precedence | (input.pad ? 0x04 : 0) | (input.compactSender ? 0x08 : 0) | (coded ? 0x10 : 0));
  const typeBytes = input.contentTypeBytesOverride ?? encodeContentType(input.contentType);
  const createdBytes = u32(input.createdOverride ?? created);
  const signature = sodium.crypto_sign_detached(signedString(header, meta, typeBytes, input.from.signingPublicKey, createdBytes, body), input.from.signingSecretKey);
  const sender = input.compactSender ? input.from.keyId : input.from.signingPublicKey;
  let inner = cat(Uint8Array.of(meta), typeBytes, sender, createdBytes, signature, body);
  if (input.paddingOverride) inner = cat(inner, input.paddingOverride);
  else if (input.pad) {
    const padded = new Uint8Array(bucket(inner.length));
    padded.set(inner);
    padded[inner.length] = 0x80;
    inner = padded;
  }
  return cat(header, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, header, null, nonceOf(id), contentKey!));
}

export interface Contact {
  signingPublicKey: Uint8Array;
}

export interface IndependentOpenOptions {
  me: { agreementSecret: Uint8Array; agreementPublicKey: Uint8Array };
  contacts?: readonly Contact[];
  requireKnownSender?: boolean;
  seen?: Map<string, number>;
  nowMs: number;
  skew?: number;
  maxEnvelopeBytes?: number;
}

interface IndependentOpened {
  plaintext: Uint8Array;
  /** The body as it stands in the inner part (coded, when meta bit 4 is set). */
  body: Uint8Array;
  id: string;
  senderSigningKey: Uint8Array;
  precedence: (typeof PRECEDENCE_BY_CODE)[number];
  contentType: string;
  padded: boolean;
  created: number;
  expires: number;
  /** What was verified: the signed string and the signature. */
  signed: Uint8Array;
  signature: Uint8Array;
}

/** §9, steps 1–21, in order. */
export function independentOpen(bytes: Uint8Array, options: IndependentOpenOptions): IndependentOpened {
  const skew = options.skew ?? 300;
  const nowS = Math.floor(options.nowMs / 1000);
  if (bytes.length > (options.maxEnvelopeBytes ?? 32 * 1024 * 1024)) refuse('TOO_LARGE', 'envelope too large'); // 1
  if (bytes.length === 0) refuse('MALFORMED', 'empty'); // 2
  if (bytes[0] !== 1) refuse('UNSUPPORTED_VERSION', `version ${bytes[0]}`); // 3 (version 2 is independent-opener-v2.test.ts)
  if (bytes.length < 38) refuse('MALFORMED', 'short fixed header'); // 4
  const n = bytes[37]!;
  if (n === 0) refuse('MALFORMED', 'no recipients'); // 5
  const hLen = headerLength(n);
  if (bytes.length < hLen + 16 + 78) refuse('MALFORMED', 'too short'); // 6
  const entrySize = n === 1 ? 16 : 48;
  const tagOf = (index: number): string => hex(bytes.subarray(38 + index * entrySize, 38 + index * entrySize + 16));
  if (new Set(Array.from({ length: n }, (_, index) => tagOf(index))).size !== n) refuse('MALFORMED', 'a routing tag is listed twice'); // 6a
  const expires = readU32(bytes, 1);
  if (expires + skew < nowS) refuse('EXPIRED', 'expired'); // 7
  const header = bytes.subarray(0, hLen);
  const ephemeral = bytes.subarray(5, 37);
  const id = messageId(ephemeral); // 8
  const myTag = routingTagOf(options.me.agreementPublicKey);
  let mine = -1;
  for (let index = 0; index < n; index++) {
    if (ctEqual(bytes.subarray(38 + index * entrySize, 38 + index * entrySize + 16), myTag)) mine = index; // 9: at most one, after 6a
  }
  if (mine < 0) refuse('NOT_FOR_ME', 'no entry carries our tag');
  let shared: Uint8Array;
  try {
    shared = sodium.crypto_scalarmult(options.me.agreementSecret, ephemeral); // 10
  } catch {
    return refuse('DECRYPT_FAILED', 'all-zero shared secret');
  }
  const kek = kekOf(shared, ephemeral, options.me.agreementPublicKey); // 11
  const key = n === 1 ? kek : xor(bytes.subarray(38 + mine * 48 + 16, 38 + mine * 48 + 48), kek);
  let inner: Uint8Array;
  try {
    inner = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, bytes.subarray(hLen), header, nonceOf(id), key); // 12
  } catch {
    return refuse('DECRYPT_FAILED', 'AEAD');
  }
  const meta = inner[0]!;
  if ((meta & 0xe0) !== 0) refuse('MALFORMED', 'reserved meta bits'); // 13
  const type = decodeContentType(inner, 1); // 14
  if (!type) return refuse('MALFORMED', 'content type');
  const codedText = (meta & 0x10) !== 0;
  if (codedText && inner[1] !== 0x01) refuse('MALFORMED', 'coded text with a type other than text/plain; charset=utf-8'); // 14
  const compact = (meta & 0x08) !== 0;
  const senderAt = 1 + type.length;
  const createdAt = senderAt + (compact ? 8 : 32);
  const signatureAt = createdAt + 4;
  const bodyAt = signatureAt + 64;
  if (inner.length < bodyAt) refuse('MALFORMED', 'truncated inner'); // 15
  const senderField = inner.subarray(senderAt, createdAt);
  const contact = compact
    ? options.contacts?.find((card) => ctEqual(keyIdOf(card.signingPublicKey), senderField))
    : options.contacts?.find((card) => ctEqual(card.signingPublicKey, senderField)); // 16
  if (compact && !contact) refuse('UNKNOWN_SENDER', 'key id not among contacts');
  if (options.requireKnownSender && !contact) refuse('UNKNOWN_SENDER', 'not an accepted contact');
  const senderSigningKey = contact ? contact.signingPublicKey : senderField.slice();
  const padded = (meta & 0x04) !== 0;
  let bodyEnd = inner.length;
  if (padded) {
    // 17: back over zeros to the marker
    bodyEnd = inner.length - 1;
    while (bodyEnd >= 0 && inner[bodyEnd] === 0) bodyEnd--;
    if (bodyEnd < bodyAt || inner[bodyEnd] !== 0x80) refuse('MALFORMED', 'padding');
  }
  const created = inner.subarray(createdAt, signatureAt);
  const body = inner.subarray(bodyAt, bodyEnd);
  const signature = inner.slice(signatureAt, bodyAt);
  const signed = signedString(header, meta, inner.subarray(1, senderAt), senderSigningKey, created, body);
  if (!sodium.crypto_sign_verify_detached(signature, signed, senderSigningKey)) refuse('BAD_SIGNATURE', 'signature'); // 18
  const plaintext = codedText ? decodeTextDoc(body) : body.slice(); // 18a
  if (inner[1] === 0x01) {
    try {
      utf8Strict(plaintext); // 18b
    } catch {
      refuse('MALFORMED', 'text/plain; charset=utf-8 body is not UTF-8');
    }
  }
  const createdS = readU32(created, 0);
  if (createdS > expires) refuse('MALFORMED', 'created after expiry'); // 19
  if (createdS > nowS + skew) refuse('NOT_YET_VALID', 'created in the future'); // 20
  const idHex = hex(id);
  if (options.seen) {
    // 21
    const known = options.seen.get(idHex);
    if (known !== undefined && known >= nowS) refuse('REPLAY', 'seen');
    options.seen.set(idHex, expires + skew);
  }
  return {
    plaintext,
    body: body.slice(),
    id: idHex,
    senderSigningKey,
    precedence: PRECEDENCE_BY_CODE[meta & 0x03]!,
    contentType: type.contentType,
    padded,
    created: createdS,
    expires,
    signed,
    signature,
  };
}
