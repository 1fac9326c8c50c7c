/**
 * Core's default backend here is native libsodium; this file runs the envelope
 * test vectors, the tamper and hardening tests once more on libsodium.js
 * (HERALD_SODIUM=wasm), so the fallback keeps producing the documented bytes
 * and the same refusal codes. The variable is set before anything imports
 * core; vitest evaluates each test file in its own process, so it binds here.
 */
import { expect, it } from 'vitest';

const before = process.env.HERALD_SODIUM;
process.env.HERALD_SODIUM = 'wasm';
const { sodiumBackend } = await import('@herald/core');

it('core runs on libsodium.js in this file', () => {
  expect(sodiumBackend()).toBe('wasm');
});

await import('./vectors.test.js');
await import('./tamper.test.js');
await import('./hardening.test.js');
// Core chose its backend on first import; put the variable back for anything else this process runs.
if (before === undefined) delete process.env.HERALD_SODIUM;
else process.env.HERALD_SODIUM = before;
