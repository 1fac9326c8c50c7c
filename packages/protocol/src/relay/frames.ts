import { readU32, writeU32 } from '@herald/core';
/**
 * Binary framing of the relay protocol, one frame per WebSocket binary message.
 * Byte 0 is the frame type; integers are big-endian. docs/relay-protocol.md is
 * the normative description; this file must match it byte for byte.
 */


export const PROTOCOL_VERSION = 1;

export const FRAME = {
  CHALLENGE: 0x01,
  WELCOME: 0x02,
  ACCEPTED: 0x03,
  ERROR: 0x04,
  PUSH: 0x05,
  /** The answer to PREKEYS_GET: a bundle from the relay's prekey directory, or none. */
  PREKEYS: 0x06,
  /** The answer to PREKEYS_PUT: stored; how many one-time prekeys the relay now holds for that mailbox. */
  PREKEYS_HELD: 0x07,
  AUTH: 0x10,
  DEPOSIT: 0x11,
  ACK: 0x12,
  /** The client's organisation certificate chain, before AUTH, for relays that admit only certified clients. */
  CERTIFICATE: 0x13,
  /** A signed revocation list for a relay that admits by certificate (the list's signature is its authentication). */
  REVOCATIONS: 0x14,
  /** After AUTH: signed prekeys of the authenticated identity for one of the mailboxes it proved. */
  PREKEYS_PUT: 0x15,
  /** After AUTH: asks the prekey directory for a bundle of the mailbox a routing tag names. */
  PREKEYS_GET: 0x16,
  /** Instead of AUTH: ownership of 1..64 epoch mailboxes by their blinded keys, no identity shown (section 4.4). */
  MAILBOX_AUTH: 0x17,
} as const;

/** Bytes of a routing tag (docs/protocol.md): what PREKEYS_PUT and PREKEYS_GET name a mailbox by. */
export const ROUTING_TAG_BYTES = 16;

export const RELAY_ID_BYTES = 16;
export const CHALLENGE_BYTES = 32;
export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const MAC_BYTES = 32;
/** CHALLENGE: type, version, relay id, challenge, relay ephemeral X25519 key, max envelope bytes. */
export const CHALLENGE_FRAME_BYTES = 1 + 1 + RELAY_ID_BYTES + CHALLENGE_BYTES + KEY_BYTES + 4;
export const MAX_URL_BYTES = 255;
export const MAX_TAGS = 16;
export const MAX_ERROR_TEXT_BYTES = 200;
/** The most ids one ACCEPTED or ACK frame carries. */
export const MAX_IDS_PER_FRAME = 1024;
/** The largest AUTH frame: a 255-byte URL and 16 claimed mailboxes. */
export const MAX_AUTH_FRAME_BYTES = 1 + KEY_BYTES + SIGNATURE_BYTES + 1 + MAX_URL_BYTES + 1 + MAX_TAGS * (KEY_BYTES + MAC_BYTES);
/** The most blinded keys one MAILBOX_AUTH claims (the reference client claims one per connection). */
export const MAX_MAILBOX_KEYS = 64;
/** The largest MAILBOX_AUTH frame the relay reads: a 255-byte URL and 64 blinded keys with their signatures. */
export const MAX_MAILBOX_AUTH_FRAME_BYTES = 1 + 1 + MAX_URL_BYTES + 1 + MAX_MAILBOX_KEYS * (KEY_BYTES + SIGNATURE_BYTES);
/**
 * The largest certificate chain a CERTIFICATE frame carries: a count byte, then at most 8 certificates
 * (@herald/trust's MAX_CHAIN_LENGTH) of at most 374 bytes (its MAX_CERTIFICATE_BYTES), each after a u16 length.
 * Spelled out here because this package does not depend on @herald/trust; the relay's tests check the sum.
 */
export const MAX_CERTIFICATE_CHAIN_BYTES = 1 + 8 * (2 + 374);
/**
 * The largest frame a relay reads before its WELCOME (an AUTH or a CERTIFICATE): what an unauthenticated
 * connection can make the relay hold. Larger frames before WELCOME are cut by the WebSocket layer (close 1009).
 */
export const PRE_AUTH_MAX_FRAME_BYTES = Math.max(MAX_AUTH_FRAME_BYTES, MAX_MAILBOX_AUTH_FRAME_BYTES, 1 + MAX_CERTIFICATE_CHAIN_BYTES);
/**
 * The upgrade request's query parameter by which a client asks for the relay's clock in WELCOME
 * (`ws://relay/?herald-time=1`). Opt-in so that clients which know only the 2-byte WELCOME keep working;
 * relays that do not know it ignore the query and send the 2-byte WELCOME.
 */
export const TIME_QUERY_PARAMETER = 'herald-time';
/** WELCOME with the relay's clock: type, mailboxes u8, relay time u64 (ms since the Unix epoch). */
export const TIMED_WELCOME_FRAME_BYTES = 10;
/** Bytes a DEPOSIT or PUSH adds around the envelope. */
export const ENVELOPE_FRAME_OVERHEAD = 5;

export interface Challenge {
  readonly version: number;
  readonly relayId: Uint8Array;
  readonly challenge: Uint8Array;
  readonly relayKey: Uint8Array;
  readonly maxEnvelopeBytes: number;
}

export interface TagProof {
  readonly agreementPublicKey: Uint8Array;
  readonly mac: Uint8Array;
}

export interface Auth {
  readonly signingPublicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly url: string;
  readonly proofs: readonly TagProof[];
}

/**
 * MAILBOX_AUTH: `keys[i]` is a blinded Ed25519 key A_e (docs/protocol.md 5.4), `signatures[i]` its signature over
 * mailboxAuthTranscript. The codec reads any count up to 255 that the length agrees with; the relay refuses a count
 * outside 1..MAX_MAILBOX_KEYS when it verifies (close 4002), as it refuses a bad signature.
 */
export interface MailboxAuth {
  readonly url: string;
  readonly keys: readonly Uint8Array[];
  readonly signatures: readonly Uint8Array[];
}

export type RelayFrame =
  | ({ readonly type: 'challenge'; readonly bytes: Uint8Array } & Challenge)
  /** `relayTimeMs`: the relay's clock when it sent WELCOME, when the client asked for it (TIME_QUERY_PARAMETER). */
  | { readonly type: 'welcome'; readonly mailboxes: number; readonly relayTimeMs?: number }
  /** Several deposits of one group commit answered in one frame. */
  | { readonly type: 'accepted'; readonly requestIds: readonly number[] }
  | { readonly type: 'error'; readonly code: number; readonly requestId: number; readonly text: string }
  | { readonly type: 'push'; readonly deliveryId: number; readonly envelope: Uint8Array }
  /** `bundle` empty: the relay holds no prekeys for that mailbox. Opaque here: a prekey bundle (docs/protocol.md 16). */
  | { readonly type: 'prekeys'; readonly requestId: number; readonly bundle: Uint8Array }
  | { readonly type: 'prekeys-held'; readonly requestId: number; readonly oneTime: number };

export type ClientFrame =
  | ({ readonly type: 'auth' } & Auth)
  | ({ readonly type: 'mailbox-auth' } & MailboxAuth)
  | { readonly type: 'deposit'; readonly requestId: number; readonly envelope: Uint8Array }
  /** Several stored deliveries acknowledged in one frame. */
  | { readonly type: 'ack'; readonly deliveryIds: readonly number[] }
  /** Opaque here: the chain's encoding (docs/protocol.md 15.3) is @herald/trust's, which the relay decodes. */
  | { readonly type: 'certificate'; readonly chain: Uint8Array }
  /** Opaque here too: a revocation list (docs/protocol.md 15.4), which the relay verifies against its authorities. */
  | { readonly type: 'revocations'; readonly requestId: number; readonly list: Uint8Array }
  /** Opaque here: a prekey bundle (docs/protocol.md 16), which the relay verifies against the authenticated key. */
  | { readonly type: 'prekeys-put'; readonly requestId: number; readonly routingTag: Uint8Array; readonly bundle: Uint8Array }
  | { readonly type: 'prekeys-get'; readonly requestId: number; readonly routingTag: Uint8Array };

/** A frame that does not decode; the relay closes with PROTOCOL_ERROR, the client drops the connection. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Under Node a pooled, unfilled Buffer (viewed as a plain Uint8Array) instead of a fresh zeroed ArrayBuffer per
 * envelope, which cost an off-heap allocation each and showed in both sides' profiles; in a page, a Uint8Array.
 * Callers write every byte of it (padding.ts zeroes its padding itself).
 */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafe(length: number): Uint8Array } }).Buffer;
export function allocUnfilled(length: number): Uint8Array {
  if (!NodeBuffer) return new Uint8Array(length);
  const out = NodeBuffer.allocUnsafe(length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function withId(type: number, id: number, body?: Uint8Array): Uint8Array {
  // Every DEPOSIT and PUSH passes here: every byte is written below, so unfilled memory will do.
  const out = allocUnfilled(5 + (body?.length ?? 0));
  out[0] = type;
  writeU32(out, 1, id);
  if (body) out.set(body, 5);
  return out;
}

export function encodeChallenge(challenge: Challenge): Uint8Array {
  const out = new Uint8Array(CHALLENGE_FRAME_BYTES);
  out[0] = FRAME.CHALLENGE;
  out[1] = challenge.version;
  out.set(challenge.relayId, 2);
  out.set(challenge.challenge, 2 + RELAY_ID_BYTES);
  out.set(challenge.relayKey, 2 + RELAY_ID_BYTES + CHALLENGE_BYTES);
  view(out).setUint32(CHALLENGE_FRAME_BYTES - 4, challenge.maxEnvelopeBytes);
  return out;
}

export function encodeWelcome(mailboxes: number, relayTimeMs?: number): Uint8Array {
  if (relayTimeMs === undefined) return Uint8Array.of(FRAME.WELCOME, mailboxes);
  const out = new Uint8Array(TIMED_WELCOME_FRAME_BYTES);
  out[0] = FRAME.WELCOME;
  out[1] = mailboxes;
  view(out).setBigUint64(2, BigInt(Math.max(0, Math.floor(relayTimeMs))));
  return out;
}
export const encodeAccepted = (requestIds: number | readonly number[]): Uint8Array => withIds(FRAME.ACCEPTED, requestIds);
export const encodePush = (deliveryId: number, envelope: Uint8Array): Uint8Array => withId(FRAME.PUSH, deliveryId, envelope);
export const encodeDeposit = (requestId: number, envelope: Uint8Array): Uint8Array => withId(FRAME.DEPOSIT, requestId, envelope);
export const encodeAck = (deliveryIds: number | readonly number[]): Uint8Array => withIds(FRAME.ACK, deliveryIds);

/** Type byte, then 1..MAX_IDS_PER_FRAME ids of 4 bytes. */
function withIds(type: number, ids: number | readonly number[]): Uint8Array {
  const list = typeof ids === 'number' ? [ids] : ids;
  if (list.length === 0 || list.length > MAX_IDS_PER_FRAME) throw new FrameError(`a frame carries 1 to ${MAX_IDS_PER_FRAME} ids, not ${list.length}`);
  const out = new Uint8Array(1 + 4 * list.length);
  out[0] = type;
  list.forEach((id, index) => writeU32(out, 1 + 4 * index, id));
  return out;
}

function readIds(bytes: Uint8Array, what: string): number[] {
  const count = (bytes.length - 1) / 4;
  if (!Number.isInteger(count) || count < 1 || count > MAX_IDS_PER_FRAME) throw new FrameError(`${what} frame must be 1 + 4·n bytes with 1 ≤ n ≤ ${MAX_IDS_PER_FRAME}, got ${bytes.length}`);
  const ids: number[] = [];
  for (let offset = 1; offset < bytes.length; offset += 4) ids.push(readU32(bytes, offset));
  return ids;
}

export function encodeCertificate(chain: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + chain.length);
  out[0] = FRAME.CERTIFICATE;
  out.set(chain, 1);
  return out;
}

/** Before AUTH it must fit PRE_AUTH_MAX_FRAME_BYTES (a list of about 290 keys); larger lists go in the relay's watched file. */
export const encodeRevocations = (requestId: number, list: Uint8Array): Uint8Array => withId(FRAME.REVOCATIONS, requestId, list);

/** PREKEYS: `request id u32` ‖ bundle (the rest; empty when the relay holds none). */
export const encodePrekeys = (requestId: number, bundle: Uint8Array): Uint8Array => withId(FRAME.PREKEYS, requestId, bundle);

/** PREKEYS_HELD: `request id u32` ‖ `one-time prekeys held u16`; 7 bytes. */
export function encodePrekeysHeld(requestId: number, oneTime: number): Uint8Array {
  const out = withId(FRAME.PREKEYS_HELD, requestId, new Uint8Array(2));
  view(out).setUint16(5, Math.min(oneTime, 0xffff));
  return out;
}

function withTag(type: number, requestId: number, routingTag: Uint8Array, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (routingTag.length !== ROUTING_TAG_BYTES) throw new FrameError(`a routing tag is ${ROUTING_TAG_BYTES} bytes, not ${routingTag.length}`);
  const out = new Uint8Array(5 + ROUTING_TAG_BYTES + body.length);
  out[0] = type;
  view(out).setUint32(1, requestId >>> 0);
  out.set(routingTag, 5);
  out.set(body, 5 + ROUTING_TAG_BYTES);
  return out;
}

/** PREKEYS_PUT: `request id u32` ‖ `routing tag [16]` ‖ bundle (the rest, at least 1 byte). */
export function encodePrekeysPut(requestId: number, routingTag: Uint8Array, bundle: Uint8Array): Uint8Array {
  if (bundle.length === 0) throw new FrameError('PREKEYS_PUT carries a bundle');
  return withTag(FRAME.PREKEYS_PUT, requestId, routingTag, bundle);
}

/** PREKEYS_GET: `request id u32` ‖ `routing tag [16]`; 21 bytes. */
export const encodePrekeysGet = (requestId: number, routingTag: Uint8Array): Uint8Array => withTag(FRAME.PREKEYS_GET, requestId, routingTag);

export function encodeError(code: number, requestId: number, text: string): Uint8Array {
  let message = encoder.encode(text);
  // Cut at a character boundary so the text stays valid UTF-8.
  if (message.length > MAX_ERROR_TEXT_BYTES) message = encoder.encode(decoder.decode(message.subarray(0, MAX_ERROR_TEXT_BYTES), { stream: true }));
  const out = new Uint8Array(8 + message.length);
  out[0] = FRAME.ERROR;
  view(out).setUint16(1, code);
  view(out).setUint32(3, requestId >>> 0);
  out[7] = message.length;
  out.set(message, 8);
  return out;
}

export function encodeAuth(auth: Auth): Uint8Array {
  const url = encoder.encode(auth.url);
  if (url.length > MAX_URL_BYTES) throw new FrameError(`url is longer than ${MAX_URL_BYTES} bytes`);
  if (auth.proofs.length > MAX_TAGS) throw new FrameError(`more than ${MAX_TAGS} tag proofs`);
  const out = new Uint8Array(1 + KEY_BYTES + SIGNATURE_BYTES + 1 + url.length + 1 + auth.proofs.length * (KEY_BYTES + MAC_BYTES));
  out[0] = FRAME.AUTH;
  out.set(auth.signingPublicKey, 1);
  out.set(auth.signature, 1 + KEY_BYTES);
  let offset = 1 + KEY_BYTES + SIGNATURE_BYTES;
  out[offset++] = url.length;
  out.set(url, offset);
  offset += url.length;
  out[offset++] = auth.proofs.length;
  for (const proof of auth.proofs) {
    out.set(proof.agreementPublicKey, offset);
    out.set(proof.mac, offset + KEY_BYTES);
    offset += KEY_BYTES + MAC_BYTES;
  }
  return out;
}

/** `url length u8` ‖ `url` ‖ `n u8` ‖ `n × blinded key [32]` ‖ `n × signature [64]`. */
export function encodeMailboxAuth(auth: MailboxAuth): Uint8Array {
  const url = encoder.encode(auth.url);
  if (url.length > MAX_URL_BYTES) throw new FrameError(`url is longer than ${MAX_URL_BYTES} bytes`);
  const count = auth.keys.length;
  if (count > 0xff || auth.signatures.length !== count) throw new FrameError(`MAILBOX_AUTH carries one signature per key, at most 255, not ${count} keys and ${auth.signatures.length} signatures`);
  if (auth.keys.some((key) => key.length !== KEY_BYTES) || auth.signatures.some((signature) => signature.length !== SIGNATURE_BYTES)) throw new FrameError(`blinded keys are ${KEY_BYTES} bytes, signatures ${SIGNATURE_BYTES}`);
  const out = new Uint8Array(3 + url.length + count * (KEY_BYTES + SIGNATURE_BYTES));
  out[0] = FRAME.MAILBOX_AUTH;
  out[1] = url.length;
  out.set(url, 2);
  let offset = 2 + url.length;
  out[offset++] = count;
  for (const key of auth.keys) out.set(key, (offset += KEY_BYTES) - KEY_BYTES);
  for (const signature of auth.signatures) out.set(signature, (offset += SIGNATURE_BYTES) - SIGNATURE_BYTES);
  return out;
}

function decodeMailboxAuth(bytes: Uint8Array): ClientFrame {
  need(bytes, 3, 'MAILBOX_AUTH');
  const urlLength = bytes[1]!;
  need(bytes, 3 + urlLength, 'MAILBOX_AUTH');
  let url: string;
  try {
    url = decoder.decode(bytes.subarray(2, 2 + urlLength));
  } catch {
    throw new FrameError('MAILBOX_AUTH frame url is not UTF-8');
  }
  let offset = 2 + urlLength;
  const count = bytes[offset++]!;
  exactly(bytes, offset + count * (KEY_BYTES + SIGNATURE_BYTES), 'MAILBOX_AUTH');
  const keys: Uint8Array[] = [];
  const signatures: Uint8Array[] = [];
  for (let index = 0; index < count; index++, offset += KEY_BYTES) keys.push(bytes.slice(offset, offset + KEY_BYTES));
  for (let index = 0; index < count; index++, offset += SIGNATURE_BYTES) signatures.push(bytes.slice(offset, offset + SIGNATURE_BYTES));
  return { type: 'mailbox-auth', url, keys, signatures };
}

function need(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length < length) throw new FrameError(`${what} frame is truncated`);
}

function exactly(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) throw new FrameError(`${what} frame must be ${length} bytes, got ${bytes.length}`);
}

export function decodeRelayFrame(bytes: Uint8Array): RelayFrame {
  need(bytes, 1, 'empty');
  switch (bytes[0]) {
    case FRAME.CHALLENGE: {
      exactly(bytes, CHALLENGE_FRAME_BYTES, 'CHALLENGE');
      const at = 2 + RELAY_ID_BYTES;
      return {
        type: 'challenge',
        bytes: bytes.slice(),
        version: bytes[1]!,
        relayId: bytes.slice(2, at),
        challenge: bytes.slice(at, at + CHALLENGE_BYTES),
        relayKey: bytes.slice(at + CHALLENGE_BYTES, at + CHALLENGE_BYTES + KEY_BYTES),
        maxEnvelopeBytes: view(bytes).getUint32(CHALLENGE_FRAME_BYTES - 4),
      };
    }
    case FRAME.WELCOME:
      if (bytes.length === TIMED_WELCOME_FRAME_BYTES) return { type: 'welcome', mailboxes: bytes[1]!, relayTimeMs: Number(view(bytes).getBigUint64(2)) };
      exactly(bytes, 2, 'WELCOME');
      return { type: 'welcome', mailboxes: bytes[1]! };
    case FRAME.ACCEPTED:
      return { type: 'accepted', requestIds: readIds(bytes, 'ACCEPTED') };
    case FRAME.ERROR: {
      need(bytes, 8, 'ERROR');
      const length = bytes[7]!;
      exactly(bytes, 8 + length, 'ERROR');
      let text: string;
      try {
        text = decoder.decode(bytes.subarray(8));
      } catch {
        throw new FrameError('ERROR frame text is not UTF-8');
      }
      return { type: 'error', code: view(bytes).getUint16(1), requestId: view(bytes).getUint32(3), text };
    }
    case FRAME.PUSH:
      need(bytes, 6, 'PUSH');
      return { type: 'push', deliveryId: readU32(bytes, 1), envelope: bytes.subarray(5) };
    case FRAME.PREKEYS:
      need(bytes, 5, 'PREKEYS');
      return { type: 'prekeys', requestId: view(bytes).getUint32(1), bundle: bytes.slice(5) };
    case FRAME.PREKEYS_HELD:
      exactly(bytes, 7, 'PREKEYS_HELD');
      return { type: 'prekeys-held', requestId: view(bytes).getUint32(1), oneTime: view(bytes).getUint16(5) };
    default:
      throw new FrameError(`unknown frame type 0x${(bytes[0] ?? 0).toString(16).padStart(2, '0')}`);
  }
}

export function decodeClientFrame(bytes: Uint8Array): ClientFrame {
  need(bytes, 1, 'empty');
  switch (bytes[0]) {
    case FRAME.AUTH:
      return decodeAuth(bytes);
    case FRAME.MAILBOX_AUTH:
      return decodeMailboxAuth(bytes);
    case FRAME.DEPOSIT:
      need(bytes, 6, 'DEPOSIT');
      return { type: 'deposit', requestId: readU32(bytes, 1), envelope: bytes.subarray(5) };
    case FRAME.ACK:
      return { type: 'ack', deliveryIds: readIds(bytes, 'ACK') };
    case FRAME.CERTIFICATE:
      need(bytes, 2, 'CERTIFICATE');
      if (bytes.length > 1 + MAX_CERTIFICATE_CHAIN_BYTES) throw new FrameError(`CERTIFICATE frame carries more than ${MAX_CERTIFICATE_CHAIN_BYTES} bytes of chain`);
      return { type: 'certificate', chain: bytes.slice(1) };
    case FRAME.REVOCATIONS:
      need(bytes, 6, 'REVOCATIONS');
      return { type: 'revocations', requestId: view(bytes).getUint32(1), list: bytes.slice(5) };
    case FRAME.PREKEYS_PUT:
      need(bytes, 5 + ROUTING_TAG_BYTES + 1, 'PREKEYS_PUT');
      return { type: 'prekeys-put', requestId: view(bytes).getUint32(1), routingTag: bytes.slice(5, 5 + ROUTING_TAG_BYTES), bundle: bytes.slice(5 + ROUTING_TAG_BYTES) };
    case FRAME.PREKEYS_GET:
      exactly(bytes, 5 + ROUTING_TAG_BYTES, 'PREKEYS_GET');
      return { type: 'prekeys-get', requestId: view(bytes).getUint32(1), routingTag: bytes.slice(5, 5 + ROUTING_TAG_BYTES) };
    default:
      throw new FrameError(`unknown frame type 0x${(bytes[0] ?? 0).toString(16).padStart(2, '0')}`);
  }
}

function decodeAuth(bytes: Uint8Array): ClientFrame {
  let offset = 1 + KEY_BYTES + SIGNATURE_BYTES;
  need(bytes, offset + 2, 'AUTH');
  const urlLength = bytes[offset++]!;
  need(bytes, offset + urlLength + 1, 'AUTH');
  let url: string;
  try {
    url = decoder.decode(bytes.subarray(offset, offset + urlLength));
  } catch {
    throw new FrameError('AUTH frame url is not UTF-8');
  }
  offset += urlLength;
  const count = bytes[offset++]!;
  if (count > MAX_TAGS) throw new FrameError(`AUTH frame claims ${count} mailboxes, at most ${MAX_TAGS}`);
  exactly(bytes, offset + count * (KEY_BYTES + MAC_BYTES), 'AUTH');
  const proofs: TagProof[] = [];
  for (let index = 0; index < count; index++, offset += KEY_BYTES + MAC_BYTES) {
    proofs.push({ agreementPublicKey: bytes.slice(offset, offset + KEY_BYTES), mac: bytes.slice(offset + KEY_BYTES, offset + KEY_BYTES + MAC_BYTES) });
  }
  return { type: 'auth', signingPublicKey: bytes.slice(1, 1 + KEY_BYTES), signature: bytes.slice(1 + KEY_BYTES, 1 + KEY_BYTES + SIGNATURE_BYTES), url, proofs };
}
