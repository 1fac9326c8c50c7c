import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OptionsError } from '@herald/core';
import { sodium } from '../sodium.js';

/** The relay's knock secret, in its data dir (0600): 32 random bytes, hex. */
export const KNOCK_FILE = 'knock.key';
const CONTEXT = new TextEncoder().encode('herald relay knock path v1');

/**
 * The per-relay secret a client proves by dialling the keyed path: without it, a prober only ever meets the decoy.
 * `path` is `/` and 43 base64url characters (a keyed BLAKE2b of a fixed context, so the file can be rotated by
 * deleting it); `matches` compares in constant time, over a fixed-size hash of the request path.
 */
export interface Knock {
  readonly path: string;
  /** Whether a request target (`/path?query`) is the keyed path; the query is ignored. */
  matches(target: string | undefined): boolean;
}

async function loadSecret(dataDir: string): Promise<Uint8Array> {
  const file = join(dataDir, KNOCK_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new OptionsError(`${file}: expected 64 hex digits (the relay's knock secret); delete it to make a new one (members then need the new URL)`);
    return new Uint8Array(Buffer.from(text, 'hex'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  // 'wx': two relays started at once on one data dir cannot both write it; the loser reads the winner's.
  const handle = await open(file, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? undefined : Promise.reject(error)));
  if (!handle) return loadSecret(dataDir);
  try {
    await handle.writeFile(`${secret.toString('hex')}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return new Uint8Array(secret);
}

/** Reads (or makes, on first start) the knock secret in `dataDir`. */
export async function loadKnock(dataDir: string): Promise<Knock> {
  const secret = await loadSecret(dataDir);
  const path = `/${Buffer.from(sodium.crypto_generichash(32, CONTEXT, secret)).toString('base64url')}`;
  const expected = sodium.crypto_generichash(32, new TextEncoder().encode(path), null);
  return {
    path,
    matches(target) {
      const requested = (target ?? '').split('?')[0] ?? '';
      // Hashed to a fixed size first: neither the length nor the first differing byte shows in the time taken.
      return sodium.memcmp(sodium.crypto_generichash(32, new TextEncoder().encode(requested), null), expected);
    },
  };
}
