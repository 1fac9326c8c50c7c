/**
 * The relay protocol's frame types and sizes. Byte 0 of every frame is its type; integers are big-endian.
 * docs/relay-protocol.md is the normative description; these numbers must match it byte for byte.
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
