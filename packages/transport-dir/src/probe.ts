import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { describeFsError } from './errors.js';

/** Usable means readable, writable (we remove what we deliver) and listable: undefined, else why not. */
export async function probeFolder(path: string): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isDirectory()) return `${path} is not a folder`;
    await access(path, constants.R_OK | constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    return describeFsError(error, 'checking the folder');
  }
}
