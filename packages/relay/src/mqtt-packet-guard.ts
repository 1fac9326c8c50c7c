import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/**
 * Aedes' parser (mqtt-packet) buffers each packet whole before the broker sees
 * it, whatever length its fixed header declares (up to 256 MiB): one client
 * could make the relay hold that much per connection, and a few of them end the
 * process. The guard reads only the fixed headers as the bytes stream past
 * (type byte, then the 1 to 4 byte Remaining Length) and skips the bodies, so
 * a packet that declares more than `maxPacketBytes` is refused as soon as its
 * header arrives, before its body is buffered anywhere.
 */
export interface PacketFraming {
  /** Undefined while the stream is fine; otherwise why the connection must end. */
  push(chunk: Buffer): string | undefined;
}

export function packetFraming(maxPacketBytes: number): PacketFraming {
  /** Body bytes of the current packet not yet seen. */
  let remaining = 0;
  /** Where we are in a fixed header: 0 = expecting the type byte, n ≥ 1 = n length bytes read so far. */
  let headerAt = 0;
  let length = 0;
  return {
    push(chunk) {
      let at = 0;
      while (at < chunk.length) {
        if (remaining > 0) {
          const skipped = Math.min(remaining, chunk.length - at);
          remaining -= skipped;
          at += skipped;
          continue;
        }
        const byte = chunk[at++]!;
        if (headerAt === 0) {
          headerAt = 1;
          length = 0;
          continue;
        }
        length += (byte & 0x7f) * 128 ** (headerAt - 1);
        if (byte & 0x80) {
          // MQTT allows at most 4 length bytes.
          if (headerAt === 4) return 'malformed packet length';
          headerAt++;
          continue;
        }
        headerAt = 0;
        if (length > maxPacketBytes) return `packet of ${length} bytes exceeds ${maxPacketBytes}`;
        remaining = length;
      }
      return undefined;
    },
  };
}

/**
 * The socket as Aedes reads and writes it, with every inbound chunk passed
 * through the framing check first; a refused stream destroys the socket.
 */
export function guardedSocket(socket: Socket, framing: PacketFraming, onRefused: (why: string) => void): Duplex {
  const guarded = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      socket.write(chunk, done);
    },
    writev(chunks, done) {
      socket.cork();
      chunks.forEach(({ chunk }, index) => socket.write(chunk as Buffer, index === chunks.length - 1 ? done : undefined));
      socket.uncork();
    },
    final(done) {
      socket.end(done);
    },
    destroy(error, done) {
      socket.destroy();
      done(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    const refused = framing.push(chunk);
    if (refused !== undefined) {
      onRefused(refused);
      socket.destroy();
      guarded.destroy();
      return;
    }
    if (!guarded.push(chunk)) socket.pause();
  });
  socket.on('end', () => guarded.push(null));
  socket.on('close', () => guarded.destroy());
  socket.on('error', () => guarded.destroy());
  return guarded;
}
