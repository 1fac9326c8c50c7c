import { fileURLToPath } from 'node:url';
import { chromiumMissing } from '@herald/web-kit';

/** Why this machine cannot run the browser tests (printed once), or undefined. */
export const skipReason = chromiumMissing();
if (skipReason) console.warn(`browser tests skipped: ${skipReason}`);

/** The test pages (NAME.ts bundled with NAME.html). */
export const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
