import { describe, expect, it } from 'vitest';
import { SIZE_GOAL_BYTES, formatSizes, measureBundle } from '@herald/web-kit';

describe('the browser bundle (pnpm web:sizes)', () => {
  it('is built from the published entry points with the browser twins only, and is within the size goal', async () => {
    const sizes = await measureBundle();
    // esbuild, bundling for platform "browser", fails on any node: import; these are the Node twins and Node-only packages.
    expect(sizes.inputs.filter((path) => /platform\/node\.js|sodium-native|node_modules\/(?:\.pnpm\/)?ws[@/]|liboqs/.test(path))).toStrictEqual([]);
    expect(sizes.inputs.some((path) => path.endsWith('core/dist/platform/browser.js'))).toBe(true);
    expect(sizes.inputs.some((path) => path.endsWith('transport-websocket/dist/platform/browser.js'))).toBe(true);
    expect(sizes.inputs.some((path) => path.endsWith('store-indexeddb/dist/store.js'))).toBe(true);
    expect(sizes.gzippedBytes).toBeLessThanOrEqual(SIZE_GOAL_BYTES);
    expect(formatSizes(sizes)).toMatch(/total +[\d.]+ KiB minified, [\d.]+ KiB gzipped \(within the 400\.0 KiB goal\)/);
  }, 120_000);
});
