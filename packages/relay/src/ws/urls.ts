import { relayProtocol } from '@herald/protocol';
import type { ResolvedRelayInit } from '../init.js';

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Which signed URLs name this relay. A client signs the URL it dialled; refusing
 * other URLs stops a rogue relay from passing a client's answer on to this one.
 */
export function urlPolicy(init: ResolvedRelayInit, port: number): { allowed(url: string): boolean; open: boolean } {
  let urls: string[];
  if (init.publicUrls) urls = init.publicUrls.map((url) => relayProtocol.canonicalRelayUrl(url));
  else if (WILDCARDS.has(init.host)) return { allowed: () => true, open: true };
  else {
    const host = init.host.includes(':') ? `[${init.host}]` : init.host;
    const hosts = LOOPBACK_NAMES.includes(host) ? LOOPBACK_NAMES : [host];
    urls = hosts.map((name) => relayProtocol.canonicalRelayUrl(`ws://${name}:${port}/`));
  }
  const set = new Set(urls);
  return { allowed: (url) => set.has(url), open: false };
}
