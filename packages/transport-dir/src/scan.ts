import type { Dir } from 'node:fs';
import { opendir } from 'node:fs/promises';

/**
 * Lists a folder a bounded number of entries at a time. A listing pass that
 * does not finish within one poll resumes where it stopped on the next, so a
 * folder of any size is covered without ever holding all its names in memory
 * or spending unbounded time in one poll.
 *
 * The folder handle stays open only while a pass is unfinished (folders larger
 * than one poll's budget); on removable media that briefly keeps it busy.
 */
export interface FolderScanner {
  /**
   * Examines up to `budget` entries, handing each name to `visit`, which
   * returns false once its consumer is full: the pass pauses after that name.
   */
  scan(budget: number, visit: (name: string) => boolean): Promise<void>;
  close(): Promise<void>;
  /** Listing passes begun (the folder opened afresh). */
  readonly passesStarted: number;
  /** The number (1, 2, …) of the latest pass that reached the folder's end; 0 before any did. */
  readonly lastPassEnded: number;
}

export function folderScanner(folder: string): FolderScanner {
  let dir: Dir | undefined;
  let passesStarted = 0;
  let lastPassEnded = 0;

  const close = async (): Promise<void> => {
    const open = dir;
    dir = undefined;
    await open?.close().catch(() => undefined);
  };

  return {
    async scan(budget, visit) {
      try {
        if (!dir) {
          dir = await opendir(folder, { bufferSize: 64 });
          passesStarted++;
        }
        for (let examined = 0; examined < budget; examined++) {
          const entry = await dir.read();
          if (entry === null) {
            lastPassEnded = passesStarted;
            await close();
            return;
          }
          // Directories can never be spool files; everything else is checked again after opening.
          if (entry.isDirectory()) continue;
          if (!visit(entry.name)) return;
        }
      } catch (error) {
        // The folder vanished or failed mid-pass: start afresh next time.
        await close();
        throw error;
      }
    },
    close,
    get passesStarted() {
      return passesStarted;
    },
    get lastPassEnded() {
      return lastPassEnded;
    },
  };
}
