import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1 that counts the bytes passing both ways: what the connection costs on the wire (under
 * TLS add its record overhead). It listens before the relay starts, since its URL is the relay's public URL (the URL
 * clients sign); `forwardTo` points it at the relay.
 */
export interface ByteCounter {
  readonly url: string;
  /** Bytes forwarded so far, both directions together. */
  readonly bytes: number;
  forwardTo(port: number): void;
  close(): Promise<void>;
}

export async function startByteCounter(): Promise<ByteCounter> {
  let upstreamPort = 0;
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('error', () => from.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.on('data', (chunk: Buffer) => (bytes += chunk.length));
      from.pipe(to);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/`,
    get bytes() {
      return bytes;
    },
    forwardTo(port) {
      upstreamPort = port;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
