import { fileURLToPath } from 'node:url';
import { chromiumMissing } from '@herald/web-kit';

/** Why this machine cannot run the browser tests (printed once), or undefined. */
export const skipReason = chromiumMissing();
if (skipReason) console.warn(`browser tests skipped: ${skipReason}`);

/** The test pages: each NAME.ts is bundled and opened in a page of its own (browserHarness). */
export const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
