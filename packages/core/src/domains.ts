import { utf8 } from './bytes.js';

/**
 * Domain-separation strings, used as BLAKE2b keys or signature prefixes so that
 * no hash or signature made for one purpose is valid for another. Listed in docs/protocol.md.
 */
export const DOMAIN = {
  fingerprint: utf8('herald/v1/fingerprint'),
  routingTag: utf8('herald/v1/routing-tag'),
  messageId: utf8('herald/v1/message-id'),
  keyEncryptionKey: utf8('herald/v1/kek'),
  envelopeSignature: utf8('herald/v1/envelope-signature'),
  cardSignature: utf8('herald/v1/card-signature'),
} as const;

/** Domain strings of signed prekeys (envelope version 2, docs/protocol.md section 16). */
export const PREKEY_DOMAIN = {
  /** BLAKE2b key of the classical x25519 KEM's shared secret. */
  x25519Kem: utf8('herald/v2/x25519-kem'),
  /** Ed25519 message prefix of a signed prekey. */
  prekeySignature: utf8('herald/v2/prekey-signature'),
  /** BLAKE2b message, keyed by the identity's Ed25519 seed: the key that encrypts prekey secrets at rest. */
  prekeyStorage: utf8('herald/v2/prekey-storage'),
} as const;

/**
 * Relay domain strings (docs/relay-protocol.md): the Ed25519 prefix of a client's
 * authentication to a relay, and the BLAKE2b key of its proof that it owns a routing tag.
 * Kept apart from DOMAIN so the envelope format's table stays what protocol.md lists for it.
 */
export const RELAY_AUTH_DOMAIN = utf8('herald/v1/relay-auth');
export const RELAY_TAG_PROOF_DOMAIN = utf8('herald/v1/relay-tag-proof');

/** Domain strings of envelope version 2 (docs/protocol.md section 17): nothing computed for v1 is valid as v2 or the reverse. */
export const ENVELOPE_V2_DOMAIN = {
  messageId: utf8('herald/v2/message-id'),
  keyEncryptionKey: utf8('herald/v2/kek'),
  envelopeSignature: utf8('herald/v2/envelope-signature'),
} as const;

/**
 * Domain strings of epoch routing tags (docs/protocol.md section 5.4): the blinding factor's hash prefix, the
 * BLAKE2b key of a blinded key's nonce prefix, the BLAKE2b key of an epoch tag, and the Ed25519 prefix of a
 * relay MAILBOX_AUTH signature (docs/relay-protocol.md).
 */
export const EPOCH_DOMAIN = {
  mailboxBlind: utf8('herald/v1/mailbox-blind'),
  mailboxNonce: utf8('herald/v1/mailbox-nonce'),
  epochTag: utf8('herald/v1/epoch-tag'),
  relayMailboxAuth: utf8('herald/v1/relay-mailbox-auth'),
} as const;
