import { EPOCH_DOMAIN, epochTagOfKey, toHex, type BlindedMailbox } from '@herald/core';
import { encodeMailboxAuth, type MailboxAuth } from './auth-frames.js';
import { MAX_MAILBOX_KEYS } from './frame-layout.js';
import type { Challenge } from './frames.js';
import { sodium } from '../sodium.js';

/**
 * Collecting epoch mailboxes without showing an identity (docs/relay-protocol.md 4.4, MAILBOX_AUTH).
 *
 * Each claimed mailbox is named by its blinded Ed25519 key A_e (docs/protocol.md 5.4); its signature over the
 * transcript below proves the client holds the blinded secret, which only the identity's owner can derive. The
 * transcript covers the whole CHALLENGE frame and the URL, as AUTH's does, so an answer is good for one connection
 * to one relay only; it also covers every claimed key, so no key can be added to or cut from a captured answer.
 */

const encoder = new TextEncoder();

/** What each signature covers: domain ‖ C ‖ u8(len U) ‖ U ‖ u8(n) ‖ A_e_1 ‖ … ‖ A_e_n. */
export function mailboxAuthTranscript(challengeFrame: Uint8Array, url: string, keys: readonly Uint8Array[]): Uint8Array {
  const urlBytes = encoder.encode(url);
  const parts = [EPOCH_DOMAIN.relayMailboxAuth, challengeFrame, Uint8Array.of(urlBytes.length), urlBytes, Uint8Array.of(keys.length), ...keys];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) out.set(part, (offset += part.length) - part.length);
  return out;
}

/** The MAILBOX_AUTH frame a client sends in answer to `challenge`, claiming these mailboxes (1..64; the reference client claims one). */
export function answerMailboxChallenge(mailboxes: readonly Pick<BlindedMailbox, 'publicKey' | 'sign'>[], challenge: Challenge & { readonly bytes: Uint8Array }, url: string): Uint8Array {
  if (mailboxes.length < 1 || mailboxes.length > MAX_MAILBOX_KEYS) throw new RangeError(`a MAILBOX_AUTH claims 1 to ${MAX_MAILBOX_KEYS} mailboxes, not ${mailboxes.length}`);
  const keys = mailboxes.map((mailbox) => mailbox.publicKey);
  const transcript = mailboxAuthTranscript(challenge.bytes, url, keys);
  return encodeMailboxAuth({ url, keys, signatures: mailboxes.map((mailbox) => mailbox.sign(transcript)) });
}

export type MailboxAuthVerdict =
  | { readonly ok: true; /** Epoch tags (hex), in the order claimed. */ readonly tags: readonly string[]; readonly keys: readonly Uint8Array[] }
  | { readonly ok: false; readonly reason: string; /** Which check failed: a closed set, fit for a metric label. */ readonly failure: 'url' | 'signature' | 'mailbox-keys' };

/**
 * The relay's check of a MAILBOX_AUTH against the CHALLENGE it sent on this connection: the URL names this relay,
 * 1..64 distinct keys, and every signature verifies under its own key (libsodium refuses small-order and
 * non-canonical keys and signatures). Then each key's epoch tag is the mailbox it collects.
 */
export function verifyMailboxAuth(auth: MailboxAuth, challengeFrame: Uint8Array, urlAllowed: (url: string) => boolean): MailboxAuthVerdict {
  const count = auth.keys.length;
  if (count < 1 || count > MAX_MAILBOX_KEYS || auth.signatures.length !== count) return { ok: false, reason: `a MAILBOX_AUTH claims 1 to ${MAX_MAILBOX_KEYS} mailboxes, not ${count}`, failure: 'mailbox-keys' };
  if (!urlAllowed(auth.url)) return { ok: false, reason: 'the signed URL does not name this relay', failure: 'url' };
  const seen = new Set<string>();
  for (const key of auth.keys) seen.add(toHex(key));
  if (seen.size !== count) return { ok: false, reason: 'a blinded key is claimed twice', failure: 'mailbox-keys' };
  const transcript = mailboxAuthTranscript(challengeFrame, auth.url, auth.keys);
  for (let index = 0; index < count; index++) {
    let signed = false;
    try {
      signed = sodium.crypto_sign_verify_detached(auth.signatures[index]!, transcript, auth.keys[index]!);
    } catch {
      signed = false;
    }
    if (!signed) return { ok: false, reason: 'a mailbox signature does not verify', failure: 'signature' };
  }
  return { ok: true, tags: auth.keys.map((key) => toHex(epochTagOfKey(key))), keys: auth.keys };
}
