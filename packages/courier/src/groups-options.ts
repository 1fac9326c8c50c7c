import { OptionsError } from '@herald/core';
import { alphabetNamed, type Alphabet } from './alphabet.js';
import type { PayloadForm } from './payload.js';

export const DEFAULT_GROUPS_PER_LINE = 10;
export const MAX_GROUPS_PER_LINE = 25;
export const MAX_MESSAGE_NUMBER = 9999;
/** Largest envelope rendered as groups: about 28,000 letters, already far beyond what anyone keys by hand. */
export const MAX_GROUPS_ENVELOPE_BYTES = 16 * 1024;

export interface GroupsOptions {
  /** `letters` (A–Z, the default: voice and Morse) or `base32` (Crockford). */
  readonly alphabet?: 'letters' | 'base32';
  /** Message number NR, 1..9999. Default: derived from the message id, so the same envelope always reads the same. */
  readonly number?: number;
  /** Data groups per line, 1..25. Default 10. */
  readonly groupsPerLine?: number;
  /** `auto` (default): compact for one recipient, else full. */
  readonly form?: PayloadForm | 'auto';
}

export interface ResolvedGroupsOptions {
  readonly alphabet: Alphabet;
  readonly number: number | undefined;
  readonly groupsPerLine: number;
  readonly form: PayloadForm | 'auto';
}

const KNOWN = new Set(['alphabet', 'number', 'groupsPerLine', 'form']);

export function resolveGroupsOptions(options: GroupsOptions = {}): ResolvedGroupsOptions {
  if (typeof options !== 'object' || options === null) throw new OptionsError('groups: options must be an object');
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw new OptionsError(`groups: unknown option "${key}"`);
  const name = options.alphabet ?? 'letters';
  if (name !== 'letters' && name !== 'base32') throw new OptionsError(`groups: alphabet: expected "letters" or "base32", got ${JSON.stringify(name)}`);
  const number = options.number;
  if (number !== undefined && (!Number.isInteger(number) || number < 1 || number > MAX_MESSAGE_NUMBER)) {
    throw new OptionsError(`groups: number: expected a whole number from 1 to ${MAX_MESSAGE_NUMBER}, got ${String(number)}`);
  }
  const groupsPerLine = options.groupsPerLine ?? DEFAULT_GROUPS_PER_LINE;
  if (!Number.isInteger(groupsPerLine) || groupsPerLine < 1 || groupsPerLine > MAX_GROUPS_PER_LINE) {
    throw new OptionsError(`groups: groupsPerLine: expected a whole number from 1 to ${MAX_GROUPS_PER_LINE}, got ${String(groupsPerLine)}`);
  }
  const form = options.form ?? 'auto';
  if (form !== 'auto' && form !== 'compact' && form !== 'full') throw new OptionsError(`groups: form: expected "auto", "compact" or "full", got ${JSON.stringify(form)}`);
  return { alphabet: alphabetNamed(name), number, groupsPerLine, form };
}

/** The default message number: 1..9999 from the first bytes of the message id. */
export function numberFromId(id: string): number {
  return (Number.parseInt(id.slice(0, 8), 16) % MAX_MESSAGE_NUMBER) + 1;
}
