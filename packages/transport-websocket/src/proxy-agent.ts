import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import type { ResolvedProxy } from '@herald/core';

/**
 * The agent `ws` opens its connection with when the channel has a proxy: a CONNECT tunnel (https-proxy-agent) or a
 * SOCKS5 one (socks-proxy-agent, socks5h: the proxy resolves the relay's name). Both carry wss:// TLS end to end,
 * with the channel's own TLS settings, through the tunnel. One per connection, so nothing outlives it.
 */
export function proxyAgent(proxy: ResolvedProxy, timeoutMs: number): Agent {
  if (proxy.protocol === 'socks5h') return new SocksProxyAgent(proxy.url, { timeout: timeoutMs });
  return new HttpsProxyAgent(proxy.url, { keepAlive: false });
}
