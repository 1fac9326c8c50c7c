/**
 * The page of indexeddb-store.integration.test.ts: indexedDbStore instances in
 * Chromium, called by the test through `globalThis.storeProxy` (wire.ts codes the
 * values). The store code and IndexedDB run here; only the assertions run in Node.
 */
import type { HeraldStore } from '@herald/core';
import { indexedDbStore } from '@herald/store-indexeddb';
import { decode, encode } from './wire.js';

export interface StoreProxy {
  /** Opens a store on a fresh database; resolves with its handle. */
  open(init: string): Promise<number>;
  /** Calls `method` with the coded arguments; `change` (updateContactPrekeys) comes as function source. */
  call(handle: number, method: string, args: string, change?: string): Promise<string>;
}

const stores = new Map<number, HeraldStore>();
let nextHandle = 1;

const proxy: StoreProxy = {
  async open(init) {
    const store = await indexedDbStore({ name: `suite-${crypto.randomUUID()}`, ...(decode(init) as object) });
    stores.set(nextHandle, store);
    return nextHandle++;
  },
  async call(handle, method, args, change) {
    const store = stores.get(handle);
    if (!store) throw new Error(`no store ${handle}`);
    const decoded = decode(args) as unknown[];
    // The suite's change functions close over nothing, so their source rebuilds them here.
    if (change !== undefined) decoded.push(new Function(`return (${change});`)());
    const result: unknown = await (store[method as keyof HeraldStore] as (...parameters: unknown[]) => Promise<unknown>)(...decoded);
    return encode(result);
  },
};

(globalThis as { storeProxy?: StoreProxy }).storeProxy = proxy;
