import { fromHex, secureRandom, toHex, type Identity } from '@herald/core';
import { sodium } from '../sodium.js';

/**
 * Proof of an identity key in an MQTT CONNECT (docs/relay-protocol.md section 9),
 * for the relay's embedded broker. MQTT 3.1.1 has no challenge round, so the
 * proof is non-interactive: the client signs the broker URL it dialled, its
 * client id, the time and a random nonce. The broker accepts it within a clock
 * window, once per nonce, and only with the client id that belongs to the key,
 * so one identity cannot take over another's session.
 *
 *     username  = "herald-ed25519:" || hex(S)
 *     password  = decimal(t) || "." || hex(nonce) || "." || hex(sig) || "." || U
 *     sig       = Ed25519-sign("herald/v1/mqtt-auth" || u8(len U) || U || u8(len id) || id || u64be(t) || nonce[16] || S)
 *     client id = hex(BLAKE2b-128(msg = "herald/v1/mqtt-proven-client-id" || S))
 *
 * with `S` the Ed25519 public key, `U` the URL as dialled (`mqtt://host:port`,
 * no credentials) and `t` milliseconds since the epoch.
 */
export const MQTT_AUTH_DOMAIN = new TextEncoder().encode('herald/v1/mqtt-auth');
export const MQTT_PROVEN_CLIENT_ID_DOMAIN = new TextEncoder().encode('herald/v1/mqtt-proven-client-id');
export const IDENTITY_USERNAME_PREFIX = 'herald-ed25519:';
/** How far a proof's time may be from the broker's clock, either way. */
export const PROOF_WINDOW_MS = 5 * 60_000;
const NONCE_BYTES = 16;

const encoder = new TextEncoder();

/** The client id a proven identity must use: anyone can compute it, only the key's holder can connect with it. */
export function provenClientId(signingPublicKey: Uint8Array): string {
  return toHex(sodium.crypto_generichash(16, Buffer.concat([MQTT_PROVEN_CLIENT_ID_DOMAIN, signingPublicKey]), null));
}

/** What a login signs (the domain tells an identity proof from a mailbox proof, mailbox-proof.ts). */
export function transcript(url: string, clientId: string, at: number, nonce: Uint8Array, signingPublicKey: Uint8Array, domain: Uint8Array = MQTT_AUTH_DOMAIN): Uint8Array {
  const urlBytes = encoder.encode(url);
  const idBytes = encoder.encode(clientId);
  const time = new Uint8Array(8);
  new DataView(time.buffer).setBigUint64(0, BigInt(at));
  return Buffer.concat([domain, Uint8Array.of(urlBytes.length), urlBytes, Uint8Array.of(idBytes.length), idBytes, time, nonce, signingPublicKey]);
}

/** A fresh login for one connection to `url` (the broker's `mqtt://host:port` name). */
export function identityLogin(identity: Identity, url: string, at = Date.now()): { clientId: string; username: string; password: string } {
  const signingPublicKey = identity.card.signingPublicKey;
  const clientId = provenClientId(signingPublicKey);
  const nonce = secureRandom(NONCE_BYTES);
  const signature = sodium.crypto_sign_detached(transcript(url, clientId, at, nonce, signingPublicKey), identity.signingSecretKey);
  return { clientId, username: `${IDENTITY_USERNAME_PREFIX}${toHex(signingPublicKey)}`, password: `${at}.${toHex(nonce)}.${toHex(signature)}.${url}` };
}

/** Why a proof is refused, as a closed set (a metric label never carries what a client sent); `reason` says it in words. */
export const PROOF_REFUSALS = ['no-proof', 'malformed', 'client-id', 'clock', 'url', 'signature'] as const;
export type ProofRefusal = (typeof PROOF_REFUSALS)[number];

export type ProofVerdict = { readonly ok: true; readonly signingPublicKey: Uint8Array; readonly nonce: string; readonly at: number } | { readonly ok: false; readonly code: ProofRefusal; readonly reason: string };

const PASSWORD = /^(\d{1,16})\.([0-9a-f]{32})\.([0-9a-f]{128})\.(mqtts?:\/\/[^\s]{1,200})$/;
const USERNAME = /^herald-ed25519:([0-9a-f]{64})$/;

/**
 * The broker's check of a CONNECT's login. `urlAllowed` says whether the signed URL names this broker; `notBefore`
 * refuses proofs dated earlier (the broker's start: nonces seen before a restart are not remembered). The caller
 * remembers the nonce until `at + PROOF_WINDOW_MS` and refuses it again meanwhile.
 */
export function checkIdentityLogin(login: { clientId: string; username: string | undefined; password: Buffer | undefined }, urlAllowed: (url: string) => boolean, now: number, notBefore: number): ProofVerdict {
  return checkSignedLogin(login, USERNAME, MQTT_AUTH_DOMAIN, 'identity proof (user name herald-ed25519:…)', urlAllowed, now, notBefore);
}

/** The check shared by identity and mailbox proofs: `username` names the key, the password carries the signed time, nonce and URL. */
export function checkSignedLogin(login: { clientId: string; username: string | undefined; password: Buffer | undefined }, username: RegExp, domain: Uint8Array, what: string, urlAllowed: (url: string) => boolean, now: number, notBefore: number): ProofVerdict {
  const user = username.exec(login.username ?? '');
  if (!user) return { ok: false, code: 'no-proof', reason: `no ${what}` };
  const parts = PASSWORD.exec(login.password?.toString('latin1') ?? '');
  if (!parts) return { ok: false, code: 'malformed', reason: 'malformed identity proof' };
  const signingPublicKey = fromHex(user[1]!);
  if (login.clientId !== provenClientId(signingPublicKey)) return { ok: false, code: 'client-id', reason: 'the client id is not the one of this identity' };
  const at = Number(parts[1]);
  if (Math.abs(at - now) > PROOF_WINDOW_MS) return { ok: false, code: 'clock', reason: 'the proof is dated too far from the broker’s clock' };
  if (at < notBefore) return { ok: false, code: 'clock', reason: 'the proof is dated before the broker started' };
  const url = parts[4]!;
  if (!urlAllowed(url)) return { ok: false, code: 'url', reason: 'the signed URL does not name this broker' };
  const nonce = fromHex(parts[2]!);
  if (!sodium.crypto_sign_verify_detached(fromHex(parts[3]!), transcript(url, login.clientId, at, nonce, signingPublicKey, domain), signingPublicKey)) return { ok: false, code: 'signature', reason: 'the signature does not verify' };
  return { ok: true, signingPublicKey, nonce: parts[2]!, at };
}
