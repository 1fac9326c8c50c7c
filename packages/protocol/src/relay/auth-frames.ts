import { FRAME, KEY_BYTES, MAC_BYTES, MAX_TAGS, MAX_URL_BYTES, SIGNATURE_BYTES } from './frame-layout.js';
import { decoder, encoder, exactly, FrameError, need } from './frame-primitives.js';
/** The codec of the frames a client authenticates with: AUTH (an identity) and MAILBOX_AUTH (blinded mailbox keys). */

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

export function decodeMailboxAuth(bytes: Uint8Array): { readonly type: 'mailbox-auth' } & MailboxAuth {
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

export function decodeAuth(bytes: Uint8Array): { readonly type: 'auth' } & Auth {
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
