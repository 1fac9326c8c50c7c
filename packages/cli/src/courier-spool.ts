import { join } from 'node:path';

/** The node's courier spool: what `herald bundle export` packs besides the pending outbox. */
export function courierSpoolPath(dataDir: string): string {
  return join(dataDir, 'courier');
}
