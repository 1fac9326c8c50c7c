import type { PassphraseStrength } from '@herald/core';
import { CliError, UsageError } from './errors.js';
import { readTextFile } from './files.js';

export const PASSPHRASE_ENV = 'HERALD_PASSPHRASE';
export const STRENGTH_ENV = 'HERALD_KDF_STRENGTH';
const STRENGTHS: readonly PassphraseStrength[] = ['interactive', 'moderate', 'sensitive'];

/**
 * The passphrase from `--passphrase-file` (which wins, being explicit) or
 * HERALD_PASSPHRASE; undefined when neither is set. Never from a flag value:
 * that would leak it into shell history and `ps`.
 */
export async function readPassphrase(file: string | undefined): Promise<string | undefined> {
  if (file !== undefined) {
    // Editors and `echo` add a final newline that is not part of the passphrase.
    const text = (await readTextFile(file, 'passphrase file')).replace(/\r?\n$/, '');
    if (text === '') throw new CliError('EMPTY_PASSPHRASE', `passphrase file ${file} is empty`);
    return text;
  }
  const fromEnv = process.env[PASSPHRASE_ENV];
  if (fromEnv === undefined) return undefined;
  // An empty variable is most likely an unset shell variable expanded; guessing "no passphrase" could leave a key unprotected.
  if (fromEnv === '') throw new CliError('EMPTY_PASSPHRASE', `${PASSPHRASE_ENV} is set but empty (unset it for no passphrase)`);
  return fromEnv;
}

export function kdfStrength(): PassphraseStrength {
  const value = process.env[STRENGTH_ENV];
  if (value === undefined || value === '') return 'moderate';
  const strength = STRENGTHS.find((candidate) => candidate === value.toLowerCase());
  if (!strength) throw new UsageError(`${STRENGTH_ENV} must be ${STRENGTHS.join(', ')}; got '${value}'`);
  return strength;
}
