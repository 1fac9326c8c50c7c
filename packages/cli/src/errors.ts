import { HeraldError, isHeraldError } from '@herald/core';

/**
 * Exit codes are part of the CLI's contract: scripts branch on them.
 * 70 is sysexits' EX_SOFTWARE, so a crash never looks like a refused envelope.
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, pending: 3, internal: 70 } as const;

/** Codes only the CLI raises (everything else is another package's HeraldError code). Listed in docs/errors.md. */
export type CliErrorCode = 'FILE_NOT_FOUND' | 'FILE_EXISTS' | 'IO_ERROR' | 'EMPTY_PASSPHRASE' | 'UNKNOWN_CHANNEL' | 'UNDELIVERED' | 'FINGERPRINT_MISMATCH' | 'DRILL_FAILED' | 'USAGE' | 'PENDING';

/** Not a failure: the message is safely in the outbox but no end-to-end ack came back in time (exit 3). */
export class StillPending extends HeraldError<'PENDING'> {
  override readonly name = 'StillPending';
  constructor(message: string) {
    super('PENDING', message, { retryable: true });
  }
}

/** An expected failure outside the libraries: reported as `error CODE: message`, exit 1. */
export class CliError extends HeraldError<CliErrorCode> {
  override readonly name = 'CliError';
  constructor(code: Exclude<CliErrorCode, 'USAGE' | 'PENDING'>, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
  }
}

/** The invocation itself is wrong; exit 2 with a pointer to --help. */
export class UsageError extends HeraldError<'USAGE'> {
  override readonly name = 'UsageError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('USAGE', message, options.cause === undefined ? {} : { cause: options.cause });
  }
}

export interface ErrorReport {
  readonly exitCode: number;
  readonly text: string;
}

/**
 * Turns any thrown value into the one or two lines the user sees. Expected
 * errors never carry a stack: it would only bury the code scripts match on.
 */
export function describeError(error: unknown, command: string | undefined, debug: boolean): ErrorReport {
  if (error instanceof StillPending) return { exitCode: EXIT.pending, text: `pending: ${error.message}\n` };
  if (error instanceof UsageError) {
    const help = command === undefined ? 'herald --help' : `herald ${command} --help`;
    return { exitCode: EXIT.usage, text: `usage error: ${error.message}\nrun '${help}' for usage\n` };
  }
  if (isHeraldError(error)) {
    return { exitCode: EXIT.refused, text: `error ${error.code}: ${error.message}\n` };
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  const hint = debug ? '' : '(set HERALD_DEBUG=1 for details)\n';
  return { exitCode: EXIT.internal, text: `internal error: ${message}\n${stack}${hint}` };
}
