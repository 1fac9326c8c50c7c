/** The epoch blinding tests once more with core on libsodium.js (see ../wasm-backend.test.ts for why this binds). */
import { expect, it } from 'vitest';

const before = process.env.HERALD_SODIUM;
process.env.HERALD_SODIUM = 'wasm';
const { sodiumBackend } = await import('@herald/core');

it('core runs on libsodium.js in this file', () => {
  expect(sodiumBackend()).toBe('wasm');
});

await import('./blinding.test.js');
if (before === undefined) delete process.env.HERALD_SODIUM;
else process.env.HERALD_SODIUM = before;
