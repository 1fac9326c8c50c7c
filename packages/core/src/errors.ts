/**
 * Every error Herald raises on purpose is a HeraldError. Each carries a stable `code` (listed in docs/errors.md) and
 * `retryable`: whether the same operation may succeed later without anything changing on the caller's side.
 *
 * This file holds the root and core's own codes. Every other package extends the root with its own code set
 * (`TrustErrorCode` in @herald/trust, `CourierErrorCode` in @herald/courier, …), so core never lists them; a test
 * (packages/core/test/error-codes.test.ts) checks that every code in any package is documented and vice versa.
 */

export type EnvelopeErrorCode =
  | 'MALFORMED'
  | 'UNSUPPORTED_VERSION'
  | 'TOO_LARGE'
  | 'NOT_FOR_ME'
  | 'DECRYPT_FAILED'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_SENDER'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'REPLAY'
  /** A version-2 envelope names a prekey whose secret we no longer hold (used one-time prekey, past openUntil, or never ours). */
  | 'PREKEY_GONE';

export type KeyErrorCode = 'BAD_KEY_FILE' | 'BAD_PASSPHRASE' | 'PASSPHRASE_REQUIRED' | 'BAD_CARD' | 'BAD_FINGERPRINT';

export type OptionsErrorCode = 'INVALID_OPTIONS';

export type ResourceErrorCode = 'CAPACITY_EXCEEDED' | 'STORE_FULL' | 'STORE_IN_USE';

export type TransportErrorCode =
  | 'CHANNEL_UNAVAILABLE'
  | 'CHANNEL_TIMEOUT'
  | 'CHANNEL_REJECTED'
  | 'CHANNEL_TOO_SMALL'
  | 'CHANNEL_STOPPED'
  /** start() on a transport already starting or running. */
  | 'ALREADY_STARTED'
  | 'QUOTA_EXCEEDED'
  | 'RECIPIENT_UNREACHABLE'
  | 'ABORTED';

export type DeliveryErrorCode = 'NO_CHANNEL' | 'FORBIDDEN_CHANNEL' | 'UNKNOWN_RECIPIENT' | 'STORE_FAILED' | 'NODE_STOPPED' | 'NO_PREKEY';

/** Signed prekeys (envelope version 2): a prekey or bundle refused, or past its time. */
export type PrekeyErrorCode = 'BAD_PREKEY' | 'PREKEY_EXPIRED';

/** The codes core itself raises. Other packages' codes are theirs (a HeraldError's `code` is any of them). */
export type CoreErrorCode = EnvelopeErrorCode | KeyErrorCode | PrekeyErrorCode | OptionsErrorCode | ResourceErrorCode | TransportErrorCode | DeliveryErrorCode;

/** @deprecated since core no longer lists other packages' codes: the same as CoreErrorCode. */
export type HeraldErrorCode = CoreErrorCode;

export interface HeraldErrorOptions {
  readonly cause?: unknown;
  readonly retryable?: boolean;
}

/**
 * The one root of Herald's errors. A package subclasses it once per kind of failure, narrowing `Code` to the codes it
 * declares (`class TrustError extends HeraldError<TrustErrorCode>`); code that catches sees `code` as a string.
 */
export class HeraldError<Code extends string = string> extends Error {
  override readonly name: string = 'HeraldError';
  readonly code: Code;
  readonly retryable: boolean;

  constructor(code: Code, message: string, options: HeraldErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** An envelope was refused by `open` (or could not be built by `seal`). Not retryable, except NOT_YET_VALID: the same bytes open once the clock catches up. */
export class EnvelopeError extends HeraldError<EnvelopeErrorCode> {
  override readonly name = 'EnvelopeError';
  constructor(code: EnvelopeErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: code === 'NOT_YET_VALID' });
  }
}

/** A secret key file, contact card or fingerprint could not be read or used. */
export class KeyError extends HeraldError<KeyErrorCode> {
  override readonly name = 'KeyError';
  constructor(code: KeyErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: false });
  }
}

/**
 * A signed prekey or prekey bundle was refused: malformed, not signed by the
 * expected identity, or (PREKEY_EXPIRED) no longer open for sealing. Never
 * retryable: the same bytes will not become valid; fetch a fresh bundle.
 */
export class PrekeyError extends HeraldError<PrekeyErrorCode> {
  override readonly name = 'PrekeyError';
  constructor(code: PrekeyErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: false });
  }
}

/** An `…Init` or options object failed validation; the message names the field and what was expected. */
export class OptionsError extends HeraldError<OptionsErrorCode> {
  override readonly name = 'OptionsError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('INVALID_OPTIONS', message, { ...options, retryable: false });
  }
}

/** A bounded structure is full. Retryable: space frees up as entries expire. */
export class CapacityError extends HeraldError<ResourceErrorCode> {
  override readonly name = 'CapacityError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('CAPACITY_EXCEEDED', message, { ...options, retryable: true });
  }
}

/**
 * The disk holding a durable store is full: the write was refused and nothing of it was stored. Not retryable: room
 * comes back only when someone frees it. What the store already holds stays readable, and is still sent and acked.
 */
export class StoreFullError extends HeraldError<'STORE_FULL'> {
  override readonly name = 'StoreFullError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('STORE_FULL', message, { ...options, retryable: false });
  }
}

/**
 * A durable store is already held by another node (in a page: another tab of the same origin holds the database).
 * Two nodes on one store would each keep in-memory state the other does not see (pending acks, queued messages).
 * Not retryable as such: it clears only when the other holder closes.
 */
export class StoreInUseError extends HeraldError<'STORE_IN_USE'> {
  override readonly name = 'StoreInUseError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('STORE_IN_USE', message, { ...options, retryable: false });
  }
}

const RETRYABLE_TRANSPORT_CODES: ReadonlySet<TransportErrorCode> = new Set(['CHANNEL_UNAVAILABLE', 'CHANNEL_TIMEOUT', 'QUOTA_EXCEEDED', 'RECIPIENT_UNREACHABLE']);

/**
 * A channel failed to move an envelope. Every transport maps its native errors
 * (ECONNREFUSED, EACCES, SMTP 4xx/5xx, MQTT reason codes, …) onto these codes;
 * `retryable` says whether trying the same channel again later may work.
 */
export class TransportError extends HeraldError<TransportErrorCode> {
  override readonly name = 'TransportError';
  /** The channel that failed. */
  readonly channel: string;
  constructor(code: TransportErrorCode, channel: string, message: string, options: HeraldErrorOptions = {}) {
    super(code, `${channel}: ${message}`, { ...options, retryable: options.retryable ?? RETRYABLE_TRANSPORT_CODES.has(code) });
    this.channel = channel;
  }
}

/** The node could not take or route a message: no usable channel, a forbidden one, an unknown recipient, a store failure. */
export class DeliveryError extends HeraldError<DeliveryErrorCode> {
  override readonly name = 'DeliveryError';
  constructor(code: DeliveryErrorCode, message: string, options: HeraldErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isHeraldError(value: unknown): value is HeraldError {
  return value instanceof HeraldError;
}
