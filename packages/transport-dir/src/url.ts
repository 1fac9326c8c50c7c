import { isAbsolute, resolve } from 'node:path';
import { OptionsError } from '@herald/core';

export const DIR_SCHEME = 'dir:';

/**
 * Parses a `dir:` channel URL into the folder's absolute, normalised path.
 *
 * Accepted: `dir:/abs/path` and the file-URL-like `dir:///abs/path`. The path is
 * taken literally (no percent-decoding): it is a path, not a URL with a host.
 * Refused: relative paths (their meaning would depend on the working directory
 * of whichever process reads the configuration) and `dir://host/…` (a host
 * would silently become the first folder of the path).
 */
export function parseDirUrl(url: string): string {
  if (typeof url !== 'string') throw new OptionsError(`url: expected a string such as "dir:/path/to/folder", got ${typeof url}`);
  if (!url.startsWith(DIR_SCHEME)) throw new OptionsError(`url: expected a "dir:" URL such as "dir:/path/to/folder", got "${url}"`);
  const path = url.slice(DIR_SCHEME.length);
  if (path.length === 0) throw new OptionsError('url: "dir:" needs a folder path, e.g. "dir:/path/to/folder"');
  if (path.includes('\0')) throw new OptionsError('url: the folder path contains a NUL character');
  if (path.startsWith('//') && !path.startsWith('///')) throw new OptionsError(`url: dir: URLs take no host; write "dir:/path" or "dir:///path", got "${url}"`);
  if (!isAbsolute(path)) throw new OptionsError(`url: expected an absolute folder path after "dir:", got "${path}"`);
  return resolve(path);
}

/** The channel name for a folder: its URL, which carries no credentials. */
export function dirUrl(absolutePath: string): string {
  return `${DIR_SCHEME}${absolutePath}`;
}
