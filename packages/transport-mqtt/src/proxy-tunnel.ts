import { request } from 'node:http';
import { isIPv6, type Socket } from 'node:net';
import { SocksClient } from 'socks';
import type { ResolvedProxy } from '@herald/core';

/**
 * A TCP connection to `host`:`port` through the channel's proxy, for MQTT.js to speak MQTT (or TLS, then MQTT) over.
 * SOCKS5 by the `socks` client with the destination's name unresolved (socks5h: the proxy resolves it); HTTP proxies
 * by node's own CONNECT request. Rejects with a plain Error saying which step failed; `signal` ends the attempt.
 */
export async function proxyTunnel(proxy: ResolvedProxy, host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
  signal.throwIfAborted();
  if (proxy.protocol === 'socks5h') {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: proxy.host, port: proxy.port, type: 5, ...(proxy.username === undefined ? {} : { userId: proxy.username }), ...(proxy.password === undefined ? {} : { password: proxy.password }) },
      destination: { host, port },
      command: 'connect',
      timeout: timeoutMs,
    }).catch((error: unknown) => {
      // socks attaches its options (the proxy password among them) to its errors: only the message goes on.
      throw new Error(`SOCKS5 proxy ${proxy.name}: ${(error as Error).message}`);
    });
    if (signal.aborted) {
      socket.destroy();
      signal.throwIfAborted();
    }
    return socket;
  }
  const authority = `${isIPv6(host) ? `[${host}]` : host}:${port}`;
  return new Promise<Socket>((resolve, reject) => {
    const login = proxy.username === undefined ? undefined : `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}`;
    const connecting = request({ host: proxy.host, port: proxy.port, method: 'CONNECT', path: authority, headers: { host: authority, ...(login ? { 'proxy-authorization': login } : {}) }, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
    connecting.once('connect', (response, socket, head) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        return reject(new Error(`HTTP proxy ${proxy.name} refused the tunnel: ${response.statusCode} ${response.statusMessage ?? ''}`.trim()));
      }
      // Bytes the server sent right behind the proxy's answer belong to the tunnelled stream.
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    connecting.once('error', (error) => reject(new Error(`HTTP proxy ${proxy.name}: ${error.message}`)));
    connecting.end();
  });
}
