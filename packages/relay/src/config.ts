import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { didYouMean, DURATION_PATTERN, jsonSchemaOf, OptionsError, parseDuration } from '@herald/core';
import { KNOWN_OPTIONS, RelayInitSchema, resolveRelayInit, type RelayInit } from './init.js';

/** Keys whose values are paths: relative ones are read from the config file's folder, as people expect. */
const PATH_KEYS = new Set(['dataDir', 'admitRevocations', 'decoySite']);
const PATH_LIST_KEYS = new Set(['allowDeposit', 'allowCollect', 'admitAuthorities']);

/** Options named …Ms or …Seconds take a number in that unit, or a duration in core's one syntax ("30d", "1.5s"). */
function durationUnitMs(key: string): number | undefined {
  return key.endsWith('Ms') ? 1 : key.endsWith('Seconds') ? 1000 : undefined;
}

function durationIn(text: string, key: string, unitMs: number, where: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms % unitMs !== 0) {
    throw new OptionsError(`${where}: ${key}: expected ${unitMs === 1 ? 'milliseconds or a duration such as 500ms, 10s' : 'seconds or a duration such as 12h, 30d'}, got ${JSON.stringify(text)}`);
  }
  return ms / unitMs;
}

/** ", line N" of a top-level key, for messages; empty when the document does not say. */
function keyLines(document: ReturnType<typeof parseDocument>, text: string): (key: string) => string {
  const lines = new Map<string, number>();
  const contents = document.contents as { items?: { key?: { value?: unknown; range?: readonly number[] } }[] } | null;
  for (const item of contents?.items ?? []) {
    const offset = item.key?.range?.[0];
    if (typeof item.key?.value === 'string' && offset !== undefined) lines.set(item.key.value, text.slice(0, offset).split('\n').length);
  }
  return (key) => (lines.has(key) ? `, line ${lines.get(key)}` : '');
}

/**
 * Reads and validates a YAML config file (docs/operations.md). Every mistake is
 * an OptionsError naming the file, the line and the key; the whole init is
 * validated here, so the relay refuses to start rather than run half-configured.
 * `overrides` (from flags) win over the file.
 */
export async function loadRelayConfig(path: string, overrides: Partial<RelayInit> = {}): Promise<RelayInit> {
  const text = await readConfigText(path);
  const init = parseRelayConfig(text, path);
  const merged = { ...init, ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) } as RelayInit;
  resolveRelayInit(merged, `config ${path}`);
  return merged;
}

/** The config file's text, or an OptionsError naming it. */
export async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new OptionsError(`config ${path}: cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

/** Parses the YAML text into a RelayInit (not yet validated beyond its shape). */
export function parseRelayConfig(text: string, path: string): Partial<RelayInit> {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const problem = document.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    throw new OptionsError(`config ${path}${line ? `, line ${line}` : ''}: not valid YAML: ${problem.message.split('\n')[0]}`);
  }
  const value: unknown = document.toJS();
  const lineOf = keyLines(document, text);
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new OptionsError(`config ${path}: expected a mapping of options (listen: …, dataDir: …), got a ${Array.isArray(value) ? 'list' : typeof value}`);
  const base = dirname(resolve(path));
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (!KNOWN_OPTIONS.has(key)) {
      const guess = didYouMean(key, KNOWN_OPTIONS);
      throw new OptionsError(`config ${path}${lineOf(key)}: unknown option "${key}"${guess ? ` (did you mean "${guess}"?)` : ''} (known: ${[...KNOWN_OPTIONS].join(', ')})`);
    }
    if (key === 'store' && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      out[key] = storeOptions(raw as Record<string, unknown>, base, `config ${path}${lineOf(key)}: store`);
      continue;
    }
    const unitMs = durationUnitMs(key);
    if (typeof raw === 'string' && unitMs !== undefined) out[key] = durationIn(raw, key, unitMs, `config ${path}${lineOf(key)}`);
    else if (PATH_KEYS.has(key) && typeof raw === 'string') out[key] = isAbsolute(raw) ? raw : resolve(base, raw);
    else if (PATH_LIST_KEYS.has(key) && Array.isArray(raw)) out[key] = raw.map((item: unknown) => (typeof item === 'string' && !isAbsolute(item) ? resolve(base, item) : item));
    // A bare metrics port is a number in YAML (`metricsListen: 9100`); the option is text.
    else if (key === 'metricsListen' && typeof raw === 'number') out[key] = String(raw);
    else out[key] = raw;
  }
  return out as Partial<RelayInit>;
}

/** The `store:` mapping (a NATS cluster): its …Ms options take durations too, and its files are read from the config's folder. */
function storeOptions(raw: Record<string, unknown>, base: string, where: string): Record<string, unknown> {
  const fromBase = (value: unknown): unknown => (typeof value === 'string' && !isAbsolute(value) ? resolve(base, value) : value);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const unitMs = durationUnitMs(key);
    if (typeof value === 'string' && unitMs !== undefined) out[key] = durationIn(value, key, unitMs, where);
    else if (key === 'credentialsFile') out[key] = fromBase(value);
    else if (key === 'tls' && typeof value === 'object' && value !== null && !Array.isArray(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, file]) => [name, fromBase(file)]));
    else out[key] = value;
  }
  return out;
}

/** Where the config file's JSON Schema is published (docs/schemas/, emitted by scripts/emit-schemas.mjs). */
export const RELAY_CONFIG_SCHEMA_ID = 'relay-config.schema.json';

/**
 * The JSON Schema of a relay config file, for editors (`# yaml-language-server: $schema=…`): RelayInitSchema as the
 * file reads it. …Ms and …Seconds keys also take a duration ("30d"), metricsListen a bare port, and dataDir may come
 * from --data-dir instead.
 */
export function relayConfigJsonSchema(): Record<string, unknown> {
  const schema = jsonSchemaOf(RelayInitSchema, {
    id: RELAY_CONFIG_SCHEMA_ID,
    title: 'Herald relay configuration',
    description: 'The YAML file of `herald relay --config` (docs/operations.md, "Configure").',
  });
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  for (const [key, property] of Object.entries(properties)) {
    const unitMs = durationUnitMs(key);
    const duration = { type: 'string', pattern: DURATION_PATTERN, description: `a duration: a number and ms, s, m, h, d or w` };
    const { description, errorMessage, default: fallback, ...number } = property;
    if (unitMs !== undefined) properties[key] = { description, default: fallback, errorMessage: `${String(errorMessage)}, or a duration such as ${unitMs === 1 ? '500ms, 10s' : '12h, 30d'}`, anyOf: [number, duration] };
  }
  const metrics = properties.metricsListen!;
  properties.metricsListen = { description: metrics.description, errorMessage: metrics.errorMessage, anyOf: [{ type: 'string', pattern: metrics.pattern }, { type: 'integer', minimum: 0, maximum: 65_535 }] };
  delete schema.required;
  return schema;
}
