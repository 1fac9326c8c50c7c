import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { PacketFraming } from '@herald/protocol';

/**
 * Aedes' parser (mqtt-packet) buffers each packet whole before the broker sees
 * it, whatever length its fixed header declares (up to 256 MiB): one client
 * could make the relay hold that much per connection, and a few of them end the
 * process. Each connection's bytes pass packetFraming
 * first (@herald/protocol), so a packet that declares too much ends the connection at its header.
 */
export { packetFraming } from '@herald/protocol';

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
