import { connect, createServer, type Server, type Socket } from 'node:net';

/** One WebSocket frame as an observer on the path sees it: its direction, opcode, payload length and time. */
export interface TappedFrame {
  readonly from: 'client' | 'relay';
  /** 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  readonly opcode: number;
  readonly length: number;
  /** Which TCP connection through the tap (numbered from 1). */
  readonly connection: number;
  readonly at: number;
}

/**
 * A TCP forwarder on 127.0.0.1 that records the length of every WebSocket frame passing in either direction: what a
 * network observer learns from frame (or, under TLS, record) lengths. It listens before the relay starts, since its
 * URL is the relay's public URL; `forwardTo` points it at the relay.
 */
export interface WsTap {
  readonly port: number;
  readonly url: string;
  readonly frames: TappedFrame[];
  forwardTo(port: number): void;
  close(): Promise<void>;
}

export async function startWsTap(): Promise<WsTap> {
  let upstreamPort = 0;
  let connections = 0;
  const frames: TappedFrame[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const connection = ++connections;
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', observer('client', connection, frames));
    upstream.on('data', observer('relay', connection, frames));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    frames,
    forwardTo(relayPort) {
      upstreamPort = relayPort;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Parses one direction of a connection: the HTTP upgrade's header block, then RFC 6455 frames. */
function observer(from: TappedFrame['from'], connection: number, frames: TappedFrame[]): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  let upgraded = false;
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (!upgraded) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      buffered = buffered.subarray(end + 4);
    }
    for (;;) {
      if (buffered.length < 2) return;
      const opcode = buffered[0]! & 0x0f;
      const masked = (buffered[1]! & 0x80) !== 0;
      let length = buffered[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (masked) offset += 4;
      if (buffered.length < offset + length) return;
      frames.push({ from, opcode, length, connection, at: Date.now() });
      buffered = buffered.subarray(offset + length);
    }
  };
}
