import { RELAY_AUTH_DOMAIN, RELAY_TAG_PROOF_DOMAIN, routingTagFor, toHex, type Identity } from '@herald/core';
import { encodeAuth, type Auth, type TagProof } from './auth-frames.js';
import { MAC_BYTES } from './frame-layout.js';
import type { Challenge } from './frames.js';
import { sodium } from '../sodium.js';

/**
 * Authentication and mailbox ownership (docs/relay-protocol.md section 4, threat model section 10).
 *
 * - The signature proves control of an Ed25519 identity key. It covers the whole
 *   CHALLENGE frame (relay id, a fresh 32-byte challenge, the relay's ephemeral
 *   X25519 key) and the URL the client dialled, so it is good for one connection
 *   to one relay only.
 * - Each tag proof shows knowledge of the X25519 secret behind a routing tag,
 *   revealing only the X25519 public key (from which the relay computes the tag):
 *   MAC = BLAKE2b-256(key = X25519(x, R), msg = domain || challenge frame || signing key || X).
 *   Only the holder of x, or the relay (holder of r), can compute it, and the
 *   relay's r lives for one connection.
 */

const encoder = new TextEncoder();

/** The URL as signed: scheme, host (with a non-default port) and path; never credentials, query or fragment. */
export function canonicalRelayUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** What the Ed25519 signature covers. */
export function authTranscript(challengeFrame: Uint8Array, url: string, signingPublicKey: Uint8Array, agreementKeys: readonly Uint8Array[]): Uint8Array {
  const urlBytes = encoder.encode(url);
  return concat([RELAY_AUTH_DOMAIN, challengeFrame, Uint8Array.of(urlBytes.length), urlBytes, signingPublicKey, Uint8Array.of(agreementKeys.length), ...agreementKeys]);
}

function tagProofMessage(challengeFrame: Uint8Array, signingPublicKey: Uint8Array, agreementPublicKey: Uint8Array): Uint8Array {
  return concat([RELAY_TAG_PROOF_DOMAIN, challengeFrame, signingPublicKey, agreementPublicKey]);
}

function macWith(shared: Uint8Array, message: Uint8Array): Uint8Array {
  try {
    return sodium.crypto_generichash(MAC_BYTES, message, shared);
  } finally {
    shared.fill(0);
  }
}

/** The AUTH frame a client sends in answer to `challenge`, claiming the identity's own mailbox when `collect` is true. */
export function answerChallenge(identity: Identity, challenge: Challenge & { readonly bytes: Uint8Array }, url: string, collect: boolean): Uint8Array {
  const signingPublicKey = identity.card.signingPublicKey;
  const proofs: TagProof[] = [];
  if (collect) {
    const agreementPublicKey = identity.card.agreementPublicKey;
    const shared = sodium.crypto_scalarmult(identity.agreementSecretKey, challenge.relayKey);
    proofs.push({ agreementPublicKey, mac: macWith(shared, tagProofMessage(challenge.bytes, signingPublicKey, agreementPublicKey)) });
  }
  const transcript = authTranscript(challenge.bytes, url, signingPublicKey, proofs.map((proof) => proof.agreementPublicKey));
  const signature = sodium.crypto_sign_detached(transcript, identity.signingSecretKey);
  return encodeAuth({ signingPublicKey, signature, url, proofs });
}

export type AuthVerdict =
  | { readonly ok: true; readonly signingPublicKey: Uint8Array; readonly tags: readonly string[]; readonly agreementKeys: readonly Uint8Array[] }
  | { readonly ok: false; readonly reason: string; /** Which check failed: a closed set, fit for a metric label. */ readonly failure: 'url' | 'signature' | 'mailbox-proof' };

/**
 * The relay's check of an AUTH frame against the CHALLENGE it sent on this
 * connection and its ephemeral secret. `urlAllowed` says whether the signed URL
 * names this relay.
 */
export function verifyAuth(auth: Auth, challengeFrame: Uint8Array, relaySecret: Uint8Array, urlAllowed: (url: string) => boolean): AuthVerdict {
  if (!urlAllowed(auth.url)) return { ok: false, reason: 'the signed URL does not name this relay', failure: 'url' };
  const keys = auth.proofs.map((proof) => proof.agreementPublicKey);
  const transcript = authTranscript(challengeFrame, auth.url, auth.signingPublicKey, keys);
  let signed = false;
  try {
    signed = sodium.crypto_sign_verify_detached(auth.signature, transcript, auth.signingPublicKey);
  } catch {
    signed = false;
  }
  if (!signed) return { ok: false, reason: 'the signature does not verify', failure: 'signature' };
  const tags: string[] = [];
  for (const proof of auth.proofs) {
    let shared: Uint8Array;
    try {
      shared = sodium.crypto_scalarmult(relaySecret, proof.agreementPublicKey);
    } catch {
      return { ok: false, reason: 'a mailbox proof carries a small-order X25519 key', failure: 'mailbox-proof' };
    }
    const expected = macWith(shared, tagProofMessage(challengeFrame, auth.signingPublicKey, proof.agreementPublicKey));
    if (!sodium.memcmp(expected, proof.mac)) return { ok: false, reason: 'a mailbox proof does not verify', failure: 'mailbox-proof' };
    const tag = toHex(routingTagFor(proof.agreementPublicKey));
    if (!tags.includes(tag)) tags.push(tag);
  }
  return { ok: true, signingPublicKey: auth.signingPublicKey, tags, agreementKeys: keys };
}
