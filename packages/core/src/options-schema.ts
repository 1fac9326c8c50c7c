import { Type, type Static, type TObject, type TProperties, type TReadonlyOptional, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { DURATION_PATTERN } from './duration.js';
import { OptionsError } from './errors.js';
import { PRECEDENCES, type Precedence } from './precedence.js';

/**
 * One way to declare a package's options: a TypeBox schema that yields the TypeScript type (`Static`), the check at
 * construction (`checkOptions`, with messages in Herald's style: `where: field: expected …, got …`) and the JSON
 * Schema editors use for the YAML files (`jsonSchemaOf`). Each field's `errorMessage` says what was expected; the
 * same keyword gives YAML editors (yaml-language-server) the same words.
 */
export { Type as OptionType, type Static as OptionsOf, type TSchema as OptionSchema, type TObject as OptionsSchema };

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  // "[object Object]" says nothing; a Uint8Array or a Date says what it is.
  if (typeof value === 'object' && value !== null) return value.constructor === Object || !value.constructor ? 'an object' : `a ${value.constructor.name}`;
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
  return Type.Union(literals, { ...(fallback === undefined ? {} : { default: fallback }), ...(description === '' ? {} : { description }), errorMessage: `expected one of ${words.join(', ')}` });
}

/** A number (fractions allowed) from `min` to `max`. */
export function numberOption(fallback: number | undefined, min: number, max: number, description: string) {
  return Type.Number({ minimum: min, maximum: max, ...(fallback === undefined ? {} : { default: fallback }), description, errorMessage: `expected a number from ${min} to ${max}` });
}

/** A duration: a number and a unit (`500ms`, `1.5s`, `30d`: DURATION_PATTERN), or a bare number in the caller's unit. */
export function durationOption(description: string) {
  return Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: DURATION_PATTERN })], { description, errorMessage: 'expected a duration such as 500ms, 3s or 1m' });
}

/** One optional field per precedence (FLASH, IMMEDIATE, PRIORITY, ROUTINE), nothing else: a deadline, a weight, a rule each. */
export function perPrecedenceOption<T extends TSchema>(of: (precedence: Precedence) => T, description?: string) {
  const [flash, immediate, priority, routine] = PRECEDENCES;
  const fields = { [flash]: Type.ReadonlyOptional(of(flash)), [immediate]: Type.ReadonlyOptional(of(immediate)), [priority]: Type.ReadonlyOptional(of(priority)), [routine]: Type.ReadonlyOptional(of(routine)) } as Record<Precedence, TReadonlyOptional<T>>;
  return Type.Object(fields, { additionalProperties: false, ...(description === undefined ? {} : { description }) });
}

/** A non-blank string; `expected` says what it should be ("a directory path", "host:port"). */
export function textOption(expected: string, description: string, pattern = '\\S') {
  return Type.String({ pattern, description, errorMessage: `expected ${expected}` });
}

/** A list of non-blank strings. */
export function textListOption(description: string) {
  return Type.Readonly(Type.Array(Type.String({ pattern: '\\S', errorMessage: 'expected a non-empty string' }), { description, errorMessage: 'expected a list of non-empty strings' }));
}

/**
 * A whole number whose range depends on another option (a timeout above its interval), checked after the schema's
 * fixed range, with the schema's words: `where: field: expected whole unit from min to max, got value`.
 */
export function wholeInRange(where: string, field: string, value: number, min: number, max: number, unit: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new OptionsError(`${where}: ${field}: expected whole ${unit} from ${min} to ${max}, got ${value}`);
  return value;
}

/** TLS client settings handed to node's tls.connect (wss://, mqtts://, …); PEM material is checked by node itself. */
export function tlsClientOption(description: string) {
  const pem = (what: string) => Type.Optional(Type.Unsafe<string | Buffer>(Type.Any({ description: what })));
  return Type.Object(
    {
      ca: Type.Optional(Type.Unsafe<string | Buffer | ReadonlyArray<string | Buffer>>(Type.Any({ description: "Trusted CA certificates (PEM), instead of node's bundled roots." }))),
      cert: pem('Client certificate (PEM), for servers that ask for one.'),
      key: pem("The client certificate's key (PEM)."),
      rejectUnauthorized: Type.Optional(flagOption(true, 'Default true. Turning it off accepts any certificate: tests only.')),
      servername: Type.Optional(textOption('a host name', "SNI and the name checked against the certificate. Default: the URL's host.")),
    },
    { additionalProperties: false, description, errorMessage: 'expected an object' },
  );
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

/** What is wrong with a value, for a message in the caller's words. */
export interface OptionProblem {
  /** Where: `faults[0].cut.mode`; empty for the value itself. For an unknown key, the mapping holding it. */
  readonly field: string;
  /** Set when the problem is a key the schema does not know: the key, and the keys it knows there. */
  readonly unknown?: { readonly key: string; readonly known: readonly string[] };
  /** What was expected (the field's `errorMessage`, else TypeBox's own words). */
  readonly expected: string;
  /** What was given. */
  readonly value: unknown;
}

function deepest(error: ValueError): ValueError {
  // A union (a duration: a number or a text) reports on its own; the variant that got furthest into the value says
  // more ("sizes[0]: expected …" rather than "expected a list or a mapping").
  let best = error;
  for (const variant of error.errors) {
    const first = variant.First();
    if (first && first.path.length > best.path.length) best = deepest(first);
  }
  return best;
}

/** The first problem of `value` against `schema`, or undefined when it fits. */
export function optionProblem(schema: TSchema, value: unknown): OptionProblem | undefined {
  const first = Value.Errors(schema, value).First();
  if (!first) return undefined;
  const error = first.type === ValueErrorType.Union ? deepest(first) : first;
  const field = fieldOf(error.path);
  if (error.type === ValueErrorType.ObjectAdditionalProperties) {
    const at = error.path.lastIndexOf('/');
    const key = error.path.slice(at + 1).replace(/~1/g, '/').replace(/~0/g, '~');
    return { field: fieldOf(error.path.slice(0, at)), unknown: { key, known: Object.keys((error.schema as TObject).properties) }, expected: 'a known key', value: error.value };
  }
  const expected = (error.schema as { errorMessage?: unknown }).errorMessage;
  if (typeof expected === 'string') return { field, expected, value: error.value };
  return { field, expected: error.type === ValueErrorType.ObjectRequiredProperty ? 'expected a value' : error.message.replace(/^E/, 'e'), value: error.value };
}

/**
 * Checks `value` against `schema`. The first problem becomes an OptionsError naming `where` and the field: an unknown
 * key (with the known ones), a missing or wrong value (with the field's `errorMessage` and the value given).
 */
export function checkOptions<Schema extends TObject<TProperties>>(schema: Schema, value: unknown, where: string): asserts value is Static<Schema> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OptionsError(`${where}: expected an object of options, got ${describe(value)}`);
  const problem = optionProblem(schema, value);
  if (!problem) return;
  const at = problem.field === '' ? where : `${where}: ${problem.field}`;
  if (problem.unknown) throw new OptionsError(`${at}: unknown option "${problem.unknown.key}" (known: ${problem.unknown.known.join(', ')})`);
  throw new OptionsError(`${at}: ${problem.expected}, got ${describe(problem.value)}`);
}

/** The plain JSON Schema (draft 2020-12) of an options schema, for files editors validate against. */
export function jsonSchemaOf(schema: TSchema, meta: { readonly id: string; readonly title: string; readonly description: string }): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: meta.id, title: meta.title, description: meta.description, ...(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>) };
}
