import { relayProtocol } from '@herald/protocol';
import type { ResolvedRelayInit } from '../init.js';

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * `url` with the keyed path of a relay behind a decoy: its path is the knock (a reverse proxy in front forwards paths
 * unchanged); without a decoy (`knockPath` is `/`) the URL as given.
 */
export function withPath(url: string, knockPath: string): string {
  if (knockPath === '/') return url;
  const parsed = new URL(url);
  parsed.pathname = knockPath;
  return parsed.toString();
}

/**
 * Which signed URLs name this relay. A client signs the URL it dialled; refusing
 * other URLs stops a rogue relay from passing a client's answer on to this one. Behind a decoy, only URLs with the
 * keyed path (`knockPath`) name it.
 */
export function urlPolicy(init: Pick<ResolvedRelayInit, 'publicUrls' | 'host'>, port: number, knockPath = '/'): { allowed(url: string): boolean; open: boolean } {
  let urls: string[];
  if (init.publicUrls) urls = init.publicUrls.map((url) => relayProtocol.canonicalRelayUrl(withPath(url, knockPath)));
  else if (WILDCARDS.has(init.host)) return { allowed: () => true, open: true };
  else {
    const host = init.host.includes(':') ? `[${init.host}]` : init.host;
    const hosts = LOOPBACK_NAMES.includes(host) ? LOOPBACK_NAMES : [host];
    urls = hosts.map((name) => relayProtocol.canonicalRelayUrl(`ws://${name}:${port}${knockPath}`));
  }
  const set = new Set(urls);
  return { allowed: (url) => set.has(url), open: false };
}
