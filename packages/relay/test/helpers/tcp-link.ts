import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1 to one loopback port, which a test can cut (every connection closed, new ones
 * refused at once) and restore: a real link failure between two servers. (The drill package's fault proxy does
 * more, but the drill depends on the relay.)
 */
export interface TcpLink {
  readonly port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** `upstreamPort` may be given as a function, read at each connection: a link started before the server it forwards to. */
export async function startTcpLink(upstreamPort: number | (() => number)): Promise<TcpLink> {
  let up = true;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (!up) return void client.resetAndDestroy();
    const upstream = connect({ host: '127.0.0.1', port: typeof upstreamPort === 'number' ? upstreamPort : upstreamPort() });
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      up = false;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      up = true;
    },
    async close() {
      up = false;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
