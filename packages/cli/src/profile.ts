import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { UsageError } from './errors.js';

/** What `herald init` wrote: the defaults of --key, --data-dir and --via for the daily commands. */
export interface Profile {
  readonly key?: string;
  readonly dataDir?: string;
  readonly via?: readonly string[];
}

/** Which default a flag falls back to: its environment variable first, then the profile. */
export type FlagFallback = 'key' | 'dataDir' | 'via';

export const FALLBACK_ENV: Readonly<Record<FlagFallback, string>> = { key: 'HERALD_KEY', dataDir: 'HERALD_DATA_DIR', via: 'HERALD_VIA' };

/** HERALD_PROFILE, else $XDG_CONFIG_HOME/herald/profile.yaml (~/.config when unset). */
export function profilePath(): string {
  const explicit = process.env['HERALD_PROFILE'];
  if (explicit) return explicit;
  const config = process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config');
  return join(config, 'herald', 'profile.yaml');
}

/** The profile, or an empty one when there is none; a broken one is a usage error naming the file. */
export async function readProfile(path = profilePath()): Promise<Profile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`profile ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const document = parseDocument(text);
  const value = document.errors.length > 0 ? undefined : (document.toJS() as unknown);
  const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const strings = (item: unknown): item is string => typeof item === 'string' && item !== '';
  if (!record || (record['key'] !== undefined && !strings(record['key'])) || (record['dataDir'] !== undefined && !strings(record['dataDir'])) || (record['via'] !== undefined && !(Array.isArray(record['via']) && record['via'].every(strings)))) {
    throw new UsageError(`profile ${path}: expected key: FILE, dataDir: DIR and via: [URL, …] (herald init writes it)`);
  }
  return { ...(record['key'] ? { key: record['key'] as string } : {}), ...(record['dataDir'] ? { dataDir: record['dataDir'] as string } : {}), ...(record['via'] ? { via: record['via'] as string[] } : {}) };
}

export async function writeProfile(profile: Profile, path = profilePath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, `# Written by herald init: the defaults of --key, --data-dir and --via.\n${stringify(profile)}`, { mode: 0o600 });
  await rename(temporary, path);
}

/** A flag's default from its environment variable, else the profile; undefined when neither has one. */
export async function fallbackValue(kind: FlagFallback, profile: () => Promise<Profile>): Promise<string | string[] | undefined> {
  const fromEnv = process.env[FALLBACK_ENV[kind]];
  if (fromEnv !== undefined && fromEnv !== '') return kind === 'via' ? fromEnv.split(',').map((url) => url.trim()).filter(Boolean) : fromEnv;
  const value = (await profile())[kind];
  return Array.isArray(value) ? [...value] : (value as string | undefined);
}
