import { readFileSync } from 'node:fs';

/** Read at run time: package.json sits one level above both src/ and dist/, and is outside tsc's rootDir. */
export function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
