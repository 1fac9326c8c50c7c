import { isAbsolute, resolve } from 'node:path';
import type { Transport } from '@herald/core';
import { dirTransport } from '@herald/transport-dir';
import { CliError, UsageError } from './errors.js';

/**
 * Channel URLs → transports. An explicit table rather than a registry: each
 * scheme names the package that implements it.
 */
export function channelFromUrl(url: string): Transport {
  if (url.startsWith('dir:')) {
    const path = url.slice('dir:'.length);
    if (path === '') throw new UsageError(`--via ${url}: a dir: channel needs a folder, e.g. dir:/mnt/usb/herald`);
    // The library insists on absolute paths; on the command line a relative one means "from here".
    return dirTransport({ url: `dir:${isAbsolute(path) ? path : resolve(path)}` });
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new CliError('UNKNOWN_CHANNEL', `--via ${url}: ${scheme ? `channel scheme "${scheme}:" is not supported yet` : 'expected a channel URL such as dir:/path/to/folder'}`);
}

export function channelsFromFlags(urls: readonly string[] | undefined): Transport[] {
  if (!urls || urls.length === 0) throw new UsageError('at least one --via URL is required');
  return urls.map(channelFromUrl);
}
