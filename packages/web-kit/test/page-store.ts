import type { Page } from 'puppeteer-core';
import type { HeraldStore } from '@herald/core';
import type { StoreProxy } from './pages/store.js';
import { decode, encode } from './pages/wire.js';

declare const storeProxy: StoreProxy;

const METHODS = [
  'putOutbox', 'getOutbox', 'listOutbox', 'deleteOutbox', 'receive', 'markSeen', 'listInbox', 'removeInbox', 'pruneSeen',
  'getContactPrekeys', 'putContactPrekeys', 'updateContactPrekeys', 'deleteContactPrekeys', 'close',
] as const satisfies readonly (keyof HeraldStore)[];

/**
 * A HeraldStore whose every call runs on an indexedDbStore in `page` (pages/store.ts):
 * concurrent calls here are concurrent there, and errors come back with their messages.
 */
export async function pageStore(page: Page, init: Record<string, unknown> = {}): Promise<HeraldStore> {
  const handle = await page.evaluate((text) => storeProxy.open(text), encode(init));
  const store: Record<string, unknown> = {};
  for (const method of METHODS) {
    store[method] = async (...args: unknown[]) => {
      const change = method === 'updateContactPrekeys' ? String(args.pop()) : undefined;
      const result = await page.evaluate((...call) => storeProxy.call(...call), handle, method, encode(args), change);
      return decode(result);
    };
  }
  return store as unknown as HeraldStore;
}
