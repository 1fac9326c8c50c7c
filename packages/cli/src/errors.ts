import { isHeraldError } from '@herald/core';
import { isCourierError } from '@herald/courier';

/**
 * Exit codes are part of the CLI's contract: scripts branch on them.
 * 70 is sysexits' EX_SOFTWARE, so a crash never looks like a refused envelope.
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, pending: 3, internal: 70 } as const;

/** Not a failure: the message is safely in the outbox but no end-to-end ack came back in time (exit 3). */
export class StillPending extends Error {
  override readonly name = 'StillPending';
}

/** Codes only the CLI raises (everything else is a core HeraldError code). Listed in docs/errors.md. */
export type CliErrorCode = 'FILE_NOT_FOUND' | 'FILE_EXISTS' | 'IO_ERROR' | 'EMPTY_PASSPHRASE' | 'UNKNOWN_CHANNEL' | 'UNDELIVERED' | 'UNKNOWN_MESSAGE' | 'FINGERPRINT_MISMATCH' | 'SCENARIO_INVALID' | 'DRILL_SETUP' | 'DRILL_FAILED';

/** An expected failure outside core: reported as `error CODE: message`, exit 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** The invocation itself is wrong; exit 2 with a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
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
  if (error instanceof CliError || isHeraldError(error) || isCourierError(error)) {
    return { exitCode: EXIT.refused, text: `error ${error.code}: ${error.message}\n` };
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  const hint = debug ? '' : '(set HERALD_DEBUG=1 for details)\n';
  return { exitCode: EXIT.internal, text: `internal error: ${message}\n${stack}${hint}` };
}
