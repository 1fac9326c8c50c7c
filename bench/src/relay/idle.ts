import WebSocket from 'ws';
import { generateIdentity } from '@herald/core';
import { relayProtocol } from '@herald/transport-websocket';
import type { ServerProcess } from './processes.js';

/** Opens `count` connections in batches; on the relay each one authenticates and claims its own mailbox, as a listening node's does. */
export async function openIdle(server: ServerProcess, count: number, authenticate: boolean): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  const batch = 250;
  for (let start = 0; start < count; start += batch) {
    const opened = await Promise.all(Array.from({ length: Math.min(batch, count - start) }, () => connect(server.url, authenticate)));
    sockets.push(...opened);
  }
  return sockets;
}

function connect(url: string, authenticate: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('error', reject);
    if (!authenticate) return void socket.once('open', () => resolve(socket));
    const identity = generateIdentity();
    socket.on('message', (data) => {
      const frame = relayProtocol.decodeRelayFrame(new Uint8Array(data as Buffer));
      if (frame.type === 'challenge') socket.send(relayProtocol.answerChallenge(identity, frame, relayProtocol.canonicalRelayUrl(url), true));
      else if (frame.type === 'welcome') resolve(socket);
    });
    socket.once('close', (code) => reject(new Error(`relay closed an idle connection: ${code}`)));
  });
}

/** Resident memory added per connection: the RSS after opening them, less the RSS before, over the count. */
export async function memoryPerConnection(server: ServerProcess, count: number, authenticate: boolean): Promise<number> {
  await settle();
  const before = await server.rss();
  const sockets = await openIdle(server, count, authenticate);
  await settle();
  const after = await server.rss();
  for (const socket of sockets) socket.terminate();
  return (after - before) / count;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 500));
