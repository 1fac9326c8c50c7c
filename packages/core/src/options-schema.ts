import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { OptionsError } from './errors.js';

/**
 * One way to declare a package's options: a TypeBox schema that yields the TypeScript type (`Static`), the check at
 * construction (`checkOptions`, with messages in Herald's style: `where: field: expected …, got …`) and the JSON
 * Schema editors use for the YAML files (`jsonSchemaOf`). Each field's `errorMessage` says what was expected; the
 * same keyword gives YAML editors (yaml-language-server) the same words.
 */
export { Type as OptionType, type Static as OptionsOf, type TSchema as OptionSchema, type TObject as OptionsSchema };

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** A whole number of `unit` from `min` to `max`; `fallback` is documented as the default. */
export function wholeOption(fallback: number | undefined, min: number, max: number, unit: string, description: string) {
  return Type.Integer({ minimum: min, maximum: max, ...(fallback === undefined ? {} : { default: fallback }), description, errorMessage: `expected whole ${unit} from ${min} to ${max}` });
}

/** true or false. */
export function flagOption(fallback: boolean, description: string) {
  return Type.Boolean({ default: fallback, description, errorMessage: 'expected true or false' });
}

/** One of a fixed set of words. */
export function oneOfOption<const Words extends readonly string[]>(words: Words, fallback: Words[number] | undefined, description: string) {
  const literals = words.map((word: Words[number]) => Type.Literal(word));
  return Type.Union(literals, { ...(fallback === undefined ? {} : { default: fallback }), description, errorMessage: `expected one of ${words.join(', ')}` });
}

/** A non-blank string; `expected` says what it should be ("a directory path", "host:port"). */
export function textOption(expected: string, description: string, pattern = '\\S') {
  return Type.String({ pattern, description, errorMessage: `expected ${expected}` });
}

/** A list of non-blank strings. */
export function textListOption(description: string) {
  return Type.Readonly(Type.Array(Type.String({ pattern: '\\S', errorMessage: 'expected a non-empty string' }), { description, errorMessage: 'expected a list of non-empty strings' }));
}

/** The keys a schema of an object knows, for "unknown option" messages and did-you-mean guesses. */
export function knownOptions(schema: TObject<TProperties>): ReadonlySet<string> {
  return new Set(Object.keys(schema.properties));
}

/** `/faults/0/cut` → `faults[0].cut`. */
function fieldOf(path: string): string {
  return path
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : field === '' ? part : `${field}.${part}`), '');
}

/**
 * Checks `value` against `schema`. The first problem becomes an OptionsError naming `where` and the field: an unknown
 * key (with the known ones), a missing or wrong value (with the field's `errorMessage` and the value given).
 */
export function checkOptions<Schema extends TObject<TProperties>>(schema: Schema, value: unknown, where: string): asserts value is Static<Schema> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OptionsError(`${where}: expected an object of options, got ${describe(value)}`);
  const known = knownOptions(schema);
  for (const key of Object.keys(value)) if (!known.has(key)) throw new OptionsError(`${where}: unknown option "${key}" (known: ${[...known].join(', ')})`);
  const first = Value.Errors(schema, value).First();
  if (!first) return;
  const field = fieldOf(first.path);
  if (first.type === ValueErrorType.ObjectAdditionalProperties) throw new OptionsError(`${where}: unknown option "${field}"`);
  const expected = (first.schema as { errorMessage?: unknown }).errorMessage;
  throw new OptionsError(`${where}: ${field}: ${typeof expected === 'string' ? expected : first.message.replace(/^E/, 'e')}, got ${describe(first.value)}`);
}

/** The plain JSON Schema (draft 2020-12) of an options schema, for files editors validate against. */
export function jsonSchemaOf(schema: TSchema, meta: { readonly id: string; readonly title: string; readonly description: string }): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: meta.id, title: meta.title, description: meta.description, ...(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>) };
}
