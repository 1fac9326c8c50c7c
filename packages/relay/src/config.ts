import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { OptionsError } from '@herald/core';
import { KNOWN_OPTIONS, resolveRelayInit, type RelayInit } from './init.js';

/** Keys whose values are paths: relative ones are read from the config file's folder, as people expect. */
const PATH_KEYS = new Set(['dataDir', 'admitRevocations']);
const PATH_LIST_KEYS = new Set(['allowDeposit', 'allowCollect', 'admitAuthorities']);

/**
 * Reads and validates a YAML config file (docs/operations.md). Every mistake is
 * an OptionsError naming the file, the line and the key; the whole init is
 * validated here, so the relay refuses to start rather than run half-configured.
 * `overrides` (from flags) win over the file.
 */
export async function loadRelayConfig(path: string, overrides: Partial<RelayInit> = {}): Promise<RelayInit> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new OptionsError(`config ${path}: cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  const init = parseRelayConfig(text, path);
  const merged = { ...init, ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) } as RelayInit;
  resolveRelayInit(merged, `config ${path}`);
  return merged;
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
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new OptionsError(`config ${path}: expected a mapping of options (listen: …, dataDir: …), got a ${Array.isArray(value) ? 'list' : typeof value}`);
  const base = dirname(resolve(path));
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (!KNOWN_OPTIONS.has(key)) throw new OptionsError(`config ${path}: unknown option "${key}" (known: ${[...KNOWN_OPTIONS].join(', ')})`);
    if (PATH_KEYS.has(key) && typeof raw === 'string') out[key] = isAbsolute(raw) ? raw : resolve(base, raw);
    else if (PATH_LIST_KEYS.has(key) && Array.isArray(raw)) out[key] = raw.map((item: unknown) => (typeof item === 'string' && !isAbsolute(item) ? resolve(base, item) : item));
    else out[key] = raw;
  }
  return out as Partial<RelayInit>;
}
