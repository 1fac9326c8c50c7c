import { HeraldError } from '@herald/core';

/**
 * Errors of the offline channels. Each carries a stable `code` (listed in
 * docs/errors.md); `message` names exactly what is wrong, for the operator.
 * None is retryable: the same input gives the same answer.
 */
export type CourierErrorCode =
  /** Typed groups could not be read: not a groups text, a line that is not groups, a header that contradicts itself. */
  | 'BAD_GROUPS'
  /** Groups were read but some lines are wrong or missing (`problems` names each). */
  | 'GROUPS_INCOMPLETE'
  /** QR texts could not be read, or parts are missing or inconsistent. */
  | 'BAD_QR'
  /** A bundle failed its format or integrity check: nothing was taken from it. */
  | 'BAD_BUNDLE'
  /** A bundle ends early (a copy interrupted, a stick pulled): nothing was taken from it. */
  | 'TRUNCATED_BUNDLE'
  /** An ack code is not ten letters. */
  | 'BAD_ACK_CODE'
  /** An ack code matches no message waiting for an ack. */
  | 'UNKNOWN_ACK_CODE'
  /** The compact groups form needs the recipient's card to restore the routing tag. */
  | 'RECIPIENT_NEEDED'
  /** The envelope is too large for this channel (groups, QR). */
  | 'TOO_LARGE_FOR_CHANNEL';

/** One located defect of a groups text: the operator asks for exactly these lines again. */
export interface GroupsProblem {
  /** 0 for the header line, else the line number. */
  readonly line: number;
  readonly kind: 'missing' | 'wrong' | 'malformed' | 'conflict';
  readonly detail: string;
}

export class CourierError extends HeraldError<CourierErrorCode> {
  override readonly name = 'CourierError';
  readonly problems: readonly GroupsProblem[];
  constructor(code: CourierErrorCode, message: string, options: { cause?: unknown; problems?: readonly GroupsProblem[] } = {}) {
    super(code, message, { ...(options.cause === undefined ? {} : { cause: options.cause }), retryable: false });
    this.problems = options.problems ?? [];
  }
}

export function isCourierError(value: unknown): value is CourierError {
  return value instanceof CourierError;
}
