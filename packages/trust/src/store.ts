import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OptionsError } from '@herald/core';

/**
 * Where a trust policy keeps what it learns: the newest revocation list per
 * authority (so an older one is refused after a restart too), certificate
 * chains senders carried, rotations, and which contacts hold our chain.
 * Names are `kind/hex`, never chosen by a peer beyond hex.
 */
export interface TrustStore {
  get(name: string): Promise<Uint8Array | undefined>;
  /** Resolves once the bytes are durable. */
  put(name: string, bytes: Uint8Array): Promise<void>;
  /** Names under `kind/`. */
  list(kind: string): Promise<string[]>;
}

const NAME = /^[a-z-]+\/[0-9a-f]{1,128}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new OptionsError(`trust store: invalid name ${JSON.stringify(name)}`);
}

export function memoryTrustStore(): TrustStore {
  const items = new Map<string, Uint8Array>();
  return {
    async get(name) {
      return items.get(name)?.slice();
    },
    async put(name, bytes) {
      checkName(name);
      items.set(name, bytes.slice());
    },
    async list(kind) {
      return [...items.keys()].filter((name) => name.startsWith(`${kind}/`)).sort();
    },
  };
}

/** One file per item under `path`, written to a temporary file, fsynced, then renamed, so a crash leaves the old or the new bytes. */
export function dirTrustStore(path: string): TrustStore {
  return {
    async get(name) {
      checkName(name);
      try {
        return new Uint8Array(await readFile(join(path, name)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async put(name, bytes) {
      checkName(name);
      const target = join(path, name);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const temporary = `${target}.tmp-${process.pid}`;
      const handle = await open(temporary, 'w', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
    },
    async list(kind) {
      try {
        return (await readdir(join(path, kind))).filter((entry) => /^[0-9a-f]+$/.test(entry)).sort().map((entry) => `${kind}/${entry}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
  };
}
