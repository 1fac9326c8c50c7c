import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A WebSocket client by hand, over a bare TCP socket: it can send frames the `ws` library would not (half a frame,
 * then nothing), and never reads past the upgrade, as an attacker holding connections open would.
 */
export interface HalfOpenSocket {
  readonly socket: Socket;
  /** Writes one masked binary frame carrying `payload` (`upTo` bytes of it only: the rest never comes). */
  frame(payload: Uint8Array, upTo?: number): void;
}

export async function halfOpenSocket(url: string, localAddress: string, timeoutMs = 10_000): Promise<HalfOpenSocket> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), localAddress });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('no upgrade answer in time')), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('latin1');
      if (!seen.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      socket.off('data', onData);
      // Stop reading: what the relay sends next (the CHALLENGE) stays in its buffers and the kernel's.
      socket.pause();
      if (seen.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(`upgrade refused: ${seen.split('\r\n')[0]}`));
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed before the upgrade answer')));
    socket.write(`GET / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
  return {
    socket,
    frame(payload, upTo = payload.length) {
      // FIN + binary; masked (a client must mask) with a zero key, so the payload goes as it is.
      const length = payload.length;
      const header = length < 126 ? Buffer.from([0x82, 0x80 | length]) : length < 65_536 ? Buffer.from([0x82, 0x80 | 126, length >> 8, length & 0xff]) : undefined;
      if (!header) throw new Error('frames of 64 KiB and more are not needed here');
      socket.write(Buffer.concat([header, Buffer.alloc(4), Buffer.from(payload.subarray(0, upTo))]));
    },
  };
}
