import { build } from 'esbuild';

export interface BundleInit {
  /** The page's script (TypeScript or JavaScript). */
  readonly entry: string;
  readonly outfile: string;
  /** Default true. */
  readonly minify?: boolean;
  /** Workspace packages from their TypeScript sources (default, as the tests run), or from their built dist as published. */
  readonly from?: 'source' | 'dist';
}

/**
 * Bundles a page script with Herald's browser entry points: the `browser`
 * condition picks core's platform/browser.ts and the WebSocket transport's
 * platform/browser.ts; `herald-source` takes workspace packages from their
 * TypeScript sources, as the tests do, so a bundle never holds stale output.
 * ESM because core loads libsodium with a top-level await.
 */
/** Bytes each input file contributes to the (minified, not gzipped) bundle. */
export type BundleInputs = Readonly<Record<string, number>>;

export async function bundleForBrowser(init: BundleInit): Promise<BundleInputs> {
  const result = await build({
    entryPoints: [init.entry],
    outfile: init.outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: init.from === 'dist' ? ['browser'] : ['herald-source', 'browser'],
    minify: init.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'error',
    metafile: true,
  });
  const inputs: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) for (const [path, input] of Object.entries(output.inputs)) inputs[path] = (inputs[path] ?? 0) + input.bytesInOutput;
  return inputs;
}
