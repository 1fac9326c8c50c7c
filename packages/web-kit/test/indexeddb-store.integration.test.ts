import { afterAll, beforeAll, describe } from 'vitest';
import type { Page } from 'puppeteer-core';
import { browserHarness, type BrowserHarness } from '@herald/web-kit';
import { storeBehaviour } from '../../store-lmdb/test/store-behaviour.js';
import { pageStore } from './page-store.js';
import { PAGES, skipReason } from './skip.js';

/** The store suite memoryStore and lmdbStore pass, on indexedDbStore in a real Chromium's IndexedDB. */
describe.skipIf(skipReason !== undefined)('HeraldStore behaviour: indexedDbStore in Chromium', () => {
  let harness: BrowserHarness;
  let page: Page;
  beforeAll(async () => {
    harness = await browserHarness(PAGES, ['store']);
    page = await harness.open('store');
  });
  afterAll(() => harness?.close());

  storeBehaviour(() => pageStore(page));
});
