/**
 * Stable codes of the relay protocol (docs/relay-protocol.md). Error frames carry
 * the numeric value; people and metrics see the name. Never renumber: add.
 */
export const ERROR_CODES = {
  NOT_AUTHENTICATED: 1,
  TOO_LARGE: 2,
  BAD_ENVELOPE: 3,
  EXPIRED: 4,
  MAILBOX_FULL: 5,
  RATE_LIMITED: 6,
  NOT_ALLOWED: 7,
  UNAVAILABLE: 8,
  RELAY_FULL: 9,
  /** The relay's disk is full (a commit failed); collection still works, deposits resume once space is freed. */
  STORAGE_FULL: 10,
  /** The depositing identity, or its source address, holds its quota of stored envelopes or bytes. */
  DEPOSITOR_QUOTA: 11,
  /** The relay is nearly full and this identity or address holds more than its shrinking allowance. */
  RELAY_NEARLY_FULL: 12,
  /** A REVOCATIONS frame's list does not verify, is not from an authority this relay admits by, or is older than the one held. */
  REVOCATIONS_REFUSED: 13,
  /** A PREKEYS_PUT was refused: a mailbox this connection did not prove, a bundle not of the authenticated key, or one that does not verify. */
  PREKEYS_REFUSED: 14,
  /** This relay keeps no prekey directory (its store has none). */
  NO_DIRECTORY: 15,
} as const;

export type RelayErrorName = keyof typeof ERROR_CODES;

const NAMES = new Map<number, RelayErrorName>(Object.entries(ERROR_CODES).map(([name, code]) => [code, name as RelayErrorName]));

export function errorName(code: number): RelayErrorName | undefined {
  return NAMES.get(code);
}

/**
 * WebSocket close codes the relay uses. 1001, 1009 and 1011 are RFC 6455's own;
 * the 4000–4999 range is reserved by the RFC for private use.
 */
export const CLOSE_CODES = {
  /** RFC 6455: the relay is shutting down. */
  GOING_AWAY: 1001,
  /** RFC 6455 (sent by ws itself): a frame larger than the relay's frame limit. */
  MESSAGE_TOO_BIG: 1009,
  /** RFC 6455: an unexpected failure inside the relay. */
  INTERNAL_ERROR: 1011,
  /** A frame that is not a well-formed relay frame, or one not allowed in this state. */
  PROTOCOL_ERROR: 4000,
  /** No valid AUTH frame within the relay's authentication time. */
  AUTH_TIMEOUT: 4001,
  /** The AUTH frame's signature, URL or a tag proof did not verify. */
  AUTH_FAILED: 4002,
  /** The relay's allow-list does not admit this identity or mailbox. */
  NOT_ALLOWED: 4003,
  /** No pong (or any frame) within the heartbeat timeout. */
  HEARTBEAT_TIMEOUT: 4004,
  /** The client does not read what the relay sends: its send buffer passed the hard limit. */
  SLOW_CONSUMER: 4008,
  /** The relay is at its connection limit, its limit of connections still authenticating, or one of those per source address; try again later. */
  TOO_MANY_CONNECTIONS: 4029,
} as const;

export type CloseName = keyof typeof CLOSE_CODES;

const CLOSE_NAMES = new Map<number, CloseName>(Object.entries(CLOSE_CODES).map(([name, code]) => [code, name as CloseName]));

export function closeName(code: number): CloseName | undefined {
  return CLOSE_NAMES.get(code);
}
