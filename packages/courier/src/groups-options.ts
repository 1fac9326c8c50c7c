import { checkOptions, OptionsError, OptionType, type OptionsOf } from '@herald/core';
import { alphabetNamed, type Alphabet } from './alphabet.js';
import type { PayloadForm } from './payload.js';

export const DEFAULT_GROUPS_PER_LINE = 10;
export const MAX_GROUPS_PER_LINE = 25;
export const MAX_MESSAGE_NUMBER = 9999;
/** Largest envelope rendered as groups: about 28,000 letters, already far beyond what anyone keys by hand. */
export const MAX_GROUPS_ENVELOPE_BYTES = 16 * 1024;

/** The options of `renderGroups` and `herald groups`, declared once: the schema yields `GroupsOptions` and the checks. */
export const GroupsOptionsSchema = OptionType.Object(
  {
    alphabet: OptionType.ReadonlyOptional(OptionType.Union([OptionType.Literal('letters'), OptionType.Literal('base32')], { default: 'letters', description: '`letters` (A–Z, the default: voice and Morse) or `base32` (Crockford).', errorMessage: 'expected "letters" or "base32"' })),
    number: OptionType.ReadonlyOptional(OptionType.Integer({ minimum: 1, maximum: MAX_MESSAGE_NUMBER, description: 'Message number NR, 1..9999. Default: derived from the message id, so the same envelope always reads the same.', errorMessage: `expected a whole number from 1 to ${MAX_MESSAGE_NUMBER}` })),
    groupsPerLine: OptionType.ReadonlyOptional(OptionType.Integer({ minimum: 1, maximum: MAX_GROUPS_PER_LINE, default: DEFAULT_GROUPS_PER_LINE, description: 'Data groups per line, 1..25. Default 10.', errorMessage: `expected a whole number from 1 to ${MAX_GROUPS_PER_LINE}` })),
    form: OptionType.ReadonlyOptional(OptionType.Union([OptionType.Literal('auto'), OptionType.Literal('compact'), OptionType.Literal('full')], { default: 'auto', description: '`auto` (default): compact for one recipient, else full.', errorMessage: 'expected "auto", "compact" or "full"' })),
  },
  { additionalProperties: false },
);

export interface GroupsOptions extends OptionsOf<typeof GroupsOptionsSchema> {}

export interface ResolvedGroupsOptions {
  readonly alphabet: Alphabet;
  readonly number: number | undefined;
  readonly groupsPerLine: number;
  readonly form: PayloadForm | 'auto';
}

export function resolveGroupsOptions(options: GroupsOptions = {}): ResolvedGroupsOptions {
  if (typeof options !== 'object' || options === null) throw new OptionsError('groups: options must be an object');
  checkOptions(GroupsOptionsSchema, options, 'groups');
  return { alphabet: alphabetNamed(options.alphabet ?? 'letters'), number: options.number, groupsPerLine: options.groupsPerLine ?? DEFAULT_GROUPS_PER_LINE, form: options.form ?? 'auto' };
}

/** The default message number: 1..9999 from the first bytes of the message id. */
export function numberFromId(id: string): number {
  return (Number.parseInt(id.slice(0, 8), 16) % MAX_MESSAGE_NUMBER) + 1;
}
