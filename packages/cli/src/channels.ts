import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseProxyUrl, type Identity, type ProxyOption, type Transport } from '@herald/core';
import { dirTransport } from '@herald/transport-dir';
import { webSocketTransport } from '@herald/transport-websocket';
import { mqttChannel } from './mqtt-channel.js';
import { emailChannel } from './email-channel.js';
import { courierTransport, manualTransport } from '@herald/courier';
import { courierSpoolPath } from './courier-spool.js';
import { CliError, UsageError } from './errors.js';
import { writeStderr } from './io.js';
import { loadedIdentity } from './keys.js';
import { certificateBytes } from './trust-dir.js';
import { relayShape } from './relay-shape.js';

const SUPPORTED_SCHEMES = 'ws://, wss://, mqtt://, mqtts://, email:, dir:, manual:, bundle:';

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Channel URLs → transports. An explicit table rather than a registry: each
 * scheme names the package that implements it.
 */
export function channelFromUrl(url: string, identity: Identity | undefined = loadedIdentity(), dataDirPath?: string, proxy?: ProxyOption): Transport {
  // --proxy applies to the network channels; absent, each reads HTTPS_PROXY, ALL_PROXY and NO_PROXY itself.
  const through = proxy === undefined ? {} : { proxy };
  if (url.startsWith('dir:')) {
    const path = url.slice('dir:'.length);
    if (path === '') throw new UsageError(`--via ${url}: a dir: channel needs a folder, e.g. dir:/mnt/usb/herald`);
    // The library insists on absolute paths; on the command line a relative one means "from here".
    const folder = isAbsolute(path) ? path : resolve(path);
    // Never created here: on a stick that is not mounted, the folder would be made on the host's own disk, under the
    // empty mount point, and messages meant for the courier would stay behind. A missing folder is a channel that is
    // down (the others carry on; it comes up when the folder appears), and said once at start.
    if (!isFolder(folder)) void writeStderr(`warning: --via ${url}: no folder ${folder} (is the stick or share mounted?); the channel stays down until it appears — if it is meant to be on this disk, create it: mkdir -p ${folder}\n`);
    return dirTransport({ url: `dir:${folder}`, createIfMissing: false });
  }
  if (url.startsWith('ws://') || url.startsWith('wss://')) {
    // A relay authenticates the node by its identity key and hands over only the mailbox it proves it owns.
    if (!identity) throw new UsageError(`--via ${url}: a relay channel needs the node's identity (--key)`);
    // A relay that admits only certified clients is shown the node's certificate (DIR/trust), if it has one.
    const certificate = certificateBytes(dataDirPath, identity.card.fingerprint);
    // Padding and cover traffic of this end, after # (never sent to the relay).
    const { url: relayUrl, shape } = relayShape(url);
    return webSocketTransport({ url: relayUrl, identity, ...through, ...shape, ...(certificate ? { certificate } : {}) });
  }
  if (url.startsWith('mqtt://') || url.startsWith('mqtts://')) return mqttChannel(url, identity, process.env, proxy);
  // Accounts and the address book come from a config file (?config= or HERALD_EMAIL_CONFIG), never from flags.
  if (url.startsWith('email:')) return emailChannel(url, proxy);
  if (url.startsWith('manual:')) {
    // A person carries it: groups (and QR codes) to a folder, or to the terminal when no folder is given.
    const path = url.slice('manual:'.length);
    return manualTransport(path === '' ? {} : { path: isAbsolute(path) ? path : resolve(path) });
  }
  if (url.startsWith('bundle:')) {
    // The courier spool that `herald bundle export` packs: the data dir's own unless a folder is given.
    const path = url.slice('bundle:'.length);
    if (path === '' && dataDirPath === undefined) throw new UsageError(`--via ${url}: bundle: needs --data-dir (or a folder, bundle:/path)`);
    return courierTransport(path === '' ? { path: resolve(courierSpoolPath(dataDirPath ?? '')), name: 'bundle:' } : { path: isAbsolute(path) ? path : resolve(path) });
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new CliError('UNKNOWN_CHANNEL', `--via ${url}: ${scheme ? `channel scheme "${scheme}:" is not supported` : 'not a channel URL'}; supported: ${SUPPORTED_SCHEMES}`);
}

export function channelsFromFlags(urls: readonly string[] | undefined, identity: Identity | undefined = loadedIdentity(), dataDirPath?: string, proxy?: ProxyOption): Transport[] {
  if (!urls || urls.length === 0) throw new UsageError('at least one --via URL is required');
  return urls.map((url) => channelFromUrl(url, identity, dataDirPath, proxy));
}

/** `--proxy URL` (socks5h://…, http://…) or `--proxy direct` (none, whatever the environment says); absent: the environment. */
export function proxyFromFlag(value: string | undefined): ProxyOption | undefined {
  if (value === undefined) return undefined;
  if (value === 'direct') return false;
  try {
    parseProxyUrl(value, '--proxy');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return value;
}
