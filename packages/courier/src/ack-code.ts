import { constantTimeEqual, fromHex, type Card, type Identity } from '@herald/core';
import { CourierError } from './errors.js';
import { sodium } from './sodium.js';
import { utf8ToBytes } from './text.js';

/**
 * The short ack code (protocol.md, addendum C): ten letters the recipient's
 * operator reads back over the radio to confirm a message that travelled as
 * groups. Only the two parties can compute it: it is keyed by their static
 * X25519 shared secret, which nobody who merely saw, relayed or keyed the
 * envelope holds.
 *
 *   s    = X25519(own agreement secret, peer agreement public key)     // the same on both sides
 *   h    = BLAKE2b-64(key = s, msg = "herald/v1/ack-code" || sender signing key || recipient signing key || message id)
 *   code = u64(h) mod 26^10, as ten letters A–Z (A = 0), most significant first, shown as two groups of five
 */
export const ACK_CODE_DOMAIN = utf8ToBytes('herald/v1/ack-code');
export const ACK_CODE_LETTERS = 10;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function codeFor(shared: Uint8Array, sender: Card, recipient: Card, messageId: string): string {
  const id = fromHex(messageId);
  if (id.length !== 16) throw new RangeError('message id must be 16 bytes of hex');
  const message = new Uint8Array(ACK_CODE_DOMAIN.length + 32 + 32 + 16);
  message.set(ACK_CODE_DOMAIN, 0);
  message.set(sender.signingPublicKey, ACK_CODE_DOMAIN.length);
  message.set(recipient.signingPublicKey, ACK_CODE_DOMAIN.length + 32);
  message.set(id, ACK_CODE_DOMAIN.length + 64);
  const hash = sodium.crypto_generichash(8, message, shared);
  shared.fill(0);
  let value = Buffer.from(hash).readBigUInt64BE(0) % 26n ** BigInt(ACK_CODE_LETTERS);
  let code = '';
  for (let index = 0; index < ACK_CODE_LETTERS; index++) {
    code = LETTERS[Number(value % 26n)] + code;
    value /= 26n;
  }
  return code;
}

function sharedSecret(identity: Identity, peer: Card): Uint8Array {
  // libsodium refuses an all-zero result (a small-order key); cards with such keys are refused at decode anyway.
  return sodium.crypto_scalarmult(identity.agreementSecretKey, peer.agreementPublicKey);
}

/** The code the recipient reads back for a message from `sender`. */
export function ackCodeAsRecipient(recipient: Identity, sender: Card, messageId: string): string {
  return codeFor(sharedSecret(recipient, sender), sender, recipient.card, messageId);
}

/** The code the sender expects from `recipient` for its message. */
export function ackCodeAsSender(sender: Identity, recipient: Card, messageId: string): string {
  return codeFor(sharedSecret(sender, recipient), sender.card, recipient, messageId);
}

/** "QWERT YUIOP" for people. */
export function formatAckCode(code: string): string {
  return `${code.slice(0, 5)} ${code.slice(5)}`;
}

/** What an operator typed: any case and spacing; exactly ten letters. */
export function normalizeAckCode(typed: string): string {
  const compact = typed.toUpperCase().replace(/[\s-]+/g, '');
  if (!/^[A-Z]{10}$/.test(compact)) throw new CourierError('BAD_ACK_CODE', `an ack code is ten letters A–Z (two groups of five); got "${typed.trim()}"`);
  return compact;
}

/** Constant-time comparison of two normalised codes: a guesser learns nothing from timing. */
export function ackCodesEqual(a: string, b: string): boolean {
  return constantTimeEqual(utf8ToBytes(a), utf8ToBytes(b));
}
