import { readU32, writeU32 } from '@herald/core';
import { decodeAuth, decodeMailboxAuth, type Auth, type MailboxAuth } from './auth-frames.js';
import {
  CHALLENGE_BYTES,
  CHALLENGE_FRAME_BYTES,
  FRAME,
  KEY_BYTES,
  MAX_CERTIFICATE_CHAIN_BYTES,
  MAX_ERROR_TEXT_BYTES,
  MAX_IDS_PER_FRAME,
  RELAY_ID_BYTES,
  ROUTING_TAG_BYTES,
  TIMED_WELCOME_FRAME_BYTES,
} from './frame-layout.js';
import { decoder, encoder, exactly, FrameError, need, view, withId } from './frame-primitives.js';
/**
 * Binary framing of the relay protocol, one frame per WebSocket binary message: the frame unions and their
 * codec (the auth frames are in auth-frames.ts, the prekey encoders in prekey-frames.ts, the sizes in
 * frame-layout.ts). docs/relay-protocol.md is the normative description; this must match it byte for byte.
 */

export interface Challenge {
  readonly version: number;
  readonly relayId: Uint8Array;
  readonly challenge: Uint8Array;
  readonly relayKey: Uint8Array;
  readonly maxEnvelopeBytes: number;
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
