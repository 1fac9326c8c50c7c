import { blindedMailbox, epochTagOfKey, secureRandom, toHex, type Identity } from '@herald/core';
import { checkSignedLogin, provenClientId, transcript, type ProofVerdict } from './identity-proof.js';

/**
 * Proof of one epoch's mailbox in an MQTT CONNECT, for the relay's embedded broker: the MQTT counterpart of a
 * relay's MAILBOX_AUTH (relay-protocol.md). It shows the epoch's blinded key `A_e` (docs/protocol.md 5.4), never
 * the identity key, and admits the client to that epoch's topic only. The identity proof's form, signed by `A_e`
 * under its own domain:
 *
 *     username  = "herald-mailbox:" || hex(A_e)
 *     password  = decimal(t) || "." || hex(nonce) || "." || hex(sig) || "." || U
 *     sig       = Ed25519 by A_e over "herald/v1/mqtt-mailbox-auth" || u8(len U) || U || u8(len id) || id || u64be(t) || nonce[16] || A_e
 *     client id = hex(BLAKE2b-128(msg = "herald/v1/mqtt-proven-client-id" || A_e))
 *
 * One epoch per connection: a client collecting several epochs with one proof each would show them together.
 */
export const MQTT_MAILBOX_AUTH_DOMAIN = new TextEncoder().encode('herald/v1/mqtt-mailbox-auth');
export const MAILBOX_USERNAME_PREFIX = 'herald-mailbox:';
const USERNAME = /^herald-mailbox:([0-9a-f]{64})$/;
const NONCE_BYTES = 16;

/** A fresh login to `url` for `identity`'s mailbox of `epoch` (its card must be version 2). */
export function mailboxLogin(identity: Identity, epoch: number, url: string, at = Date.now()): { clientId: string; username: string; password: string } {
  const mailbox = blindedMailbox(identity, epoch);
  const clientId = provenClientId(mailbox.publicKey);
  const nonce = secureRandom(NONCE_BYTES);
  const signature = mailbox.sign(transcript(url, clientId, at, nonce, mailbox.publicKey, MQTT_MAILBOX_AUTH_DOMAIN));
  return { clientId, username: `${MAILBOX_USERNAME_PREFIX}${toHex(mailbox.publicKey)}`, password: `${at}.${toHex(nonce)}.${toHex(signature)}.${url}` };
}

export type MailboxVerdict = (ProofVerdict & { readonly ok: false }) | { readonly ok: true; readonly blindedKey: Uint8Array; readonly tag: string; readonly nonce: string; readonly at: number };

/** The broker's check of a mailbox login (as checkIdentityLogin); on success, the tag (hex) whose topic the client may collect. */
export function checkMailboxLogin(login: { clientId: string; username: string | undefined; password: Buffer | undefined }, urlAllowed: (url: string) => boolean, now: number, notBefore: number): MailboxVerdict {
  const verdict = checkSignedLogin(login, USERNAME, MQTT_MAILBOX_AUTH_DOMAIN, 'mailbox proof (user name herald-mailbox:…)', urlAllowed, now, notBefore);
  if (!verdict.ok) return verdict;
  return { ok: true, blindedKey: verdict.signingPublicKey, tag: toHex(epochTagOfKey(verdict.signingPublicKey)), nonce: verdict.nonce, at: verdict.at };
}

export function isMailboxLogin(username: string | undefined): boolean {
  return username?.startsWith(MAILBOX_USERNAME_PREFIX) === true;
}
