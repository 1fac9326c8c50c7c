import { connect, type Socket } from 'node:net';
import { parser, type Packet } from 'mqtt-packet';
import { Inbox } from './inbox.js';

export type PacketWait = Packet | { readonly cmd: 'closed' } | { readonly cmd: 'timeout' };

/** A raw MQTT client over TCP: any bytes out, every packet from the broker parsed (MQTT 3.1.1). */
export class PacketClient {
  private readonly inbox = new Inbox<PacketWait>();
  /** Bytes from the broker that did not parse as MQTT (it must never send any). */
  unparsable = 0;

  private constructor(private readonly socket: Socket) {
    const incoming = parser({ protocolVersion: 4 });
    incoming.on('packet', (packet: Packet) => this.inbox.push(packet));
    incoming.on('error', () => this.unparsable++);
    socket.on('data', (chunk) => incoming.parse(chunk));
    socket.on('close', () => this.inbox.end({ cmd: 'closed' }));
    socket.on('error', () => undefined);
  }

  static open(port: number, timeoutMs: number): Promise<PacketClient | string> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(`no TCP connection within ${timeoutMs} ms`);
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        resolve(`connect failed: ${error.message}`);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new PacketClient(socket));
      });
    });
  }

  send(bytes: Uint8Array): void {
    if (!this.inbox.ended && this.socket.writable) this.socket.write(bytes);
  }

  waitFor(predicate: (packet: Packet) => boolean, timeoutMs: number): Promise<PacketWait> {
    return this.inbox.waitFor((item) => item.cmd !== 'closed' && item.cmd !== 'timeout' && predicate(item), timeoutMs, { cmd: 'timeout' });
  }

  /** Half-closes: the broker reads end of stream after what was sent, so a packet left incomplete cannot keep it waiting. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
