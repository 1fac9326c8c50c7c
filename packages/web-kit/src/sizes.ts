import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleForBrowser } from './bundle.js';

/** The goal for core + WebSocket + store, gzipped, libsodium included. */
export const SIZE_GOAL_BYTES = 400 * 1024;

export interface BundleSizes {
  readonly minifiedBytes: number;
  readonly gzippedBytes: number;
  /** Minified bytes per part (libsodium, noble, herald packages, other). */
  readonly parts: Readonly<Record<string, number>>;
  /** Every file in the bundle. */
  readonly inputs: readonly string[];
}

function partOf(path: string): string {
  if (path.includes('libsodium')) return 'libsodium.js (WebAssembly inlined)';
  if (path.includes('@noble')) return '@noble (SHA-3, ML-KEM)';
  const herald = /(?:^|\/)packages\/([^/]+)\/(?:src|dist)\//.exec(path) ?? /^\.\.\/([^/]+)\/(?:src|dist)\//.exec(path);
  if (herald) return `@herald/${herald[1]}`;
  return 'other dependencies';
}

/** Bundles dist/bundles/herald-web.js for a browser from the packages' built output (minified, as published) and measures it; gzip at level 9. */
export async function measureBundle(entry = fileURLToPath(new URL('./bundles/herald-web.js', import.meta.url))): Promise<BundleSizes> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-web-sizes-'));
  try {
    const outfile = join(dir, 'herald-web.js');
    const inputs = await bundleForBrowser({ entry, outfile, from: 'dist' });
    const bytes = await readFile(outfile);
    const parts: Record<string, number> = {};
    for (const [path, size] of Object.entries(inputs)) parts[partOf(path)] = (parts[partOf(path)] ?? 0) + size;
    return { minifiedBytes: bytes.length, gzippedBytes: gzipSync(bytes, { level: 9 }).length, parts, inputs: Object.keys(inputs) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

export function formatSizes(sizes: BundleSizes): string {
  const lines = Object.entries(sizes.parts)
    .filter(([, size]) => size > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([part, size]) => `  ${part.padEnd(40)} ${kib(size).padStart(12)} minified`);
  const verdict = sizes.gzippedBytes <= SIZE_GOAL_BYTES ? 'within' : 'OVER';
  return [
    'Herald for the browser (core + WebSocket channel + IndexedDB store), one ESM bundle:',
    ...lines,
    `  ${'total'.padEnd(40)} ${kib(sizes.minifiedBytes).padStart(12)} minified, ${kib(sizes.gzippedBytes)} gzipped (${verdict} the ${kib(SIZE_GOAL_BYTES)} goal)`,
  ].join('\n');
}
