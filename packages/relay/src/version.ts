import { readFileSync } from 'node:fs';

/** The relay package's version, read at run time: package.json sits one level above both src/ and dist/. */
export function relayVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
