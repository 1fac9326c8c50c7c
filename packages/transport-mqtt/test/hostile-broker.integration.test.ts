import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mqttTransport } from '@herald/transport-mqtt';
import { FAST, party, tagOf, until } from './helpers.js';

/**
 * A broker that turns hostile after the handshake: it answers CONNECT and
 * SUBSCRIBE like any MQTT 3.1.1 broker, then announces a PUBLISH of 256 MiB
 * and sends nothing more. MQTT.js's parser would wait for (and buffer) the
 * whole body; the transport must end the connection at the header instead.
 * A TCP server on a loopback port in the test, speaking just enough MQTT by hand
 * (no real broker can be made to misbehave like this).
 */
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

function hostileBroker(onClientGone: () => void): Promise<{ url: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.on('close', onClientGone);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        // Fixed header: type byte, then a 1–4 byte Remaining Length.
        let length = 0;
        let at = 1;
        for (let shift = 0; at < pending.length; shift += 7) {
          const byte = pending[at++]!;
          length += (byte & 0x7f) << shift;
          if (!(byte & 0x80)) break;
        }
        if (pending.length < at + length || pending.length < 2) return;
        const type = pending[0]! >> 4;
        const body = pending.subarray(at, at + length);
        pending = pending.subarray(at + length);
        if (type === 1) socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNECT → CONNACK, accepted
        if (type === 8) {
          // SUBSCRIBE → SUBACK granting QoS 1 to each topic, then the announcement of a 256 MiB PUBLISH.
          const topics = countTopics(body.subarray(2));
          socket.write(Buffer.from([0x90, 2 + topics, body[0]!, body[1]!, ...new Array<number>(topics).fill(1)]));
          socket.write(Buffer.from([0x32, 0xff, 0xff, 0xff, 0x7f]));
        }
        if (type === 12) socket.write(Buffer.from([0xd0, 0x00])); // PINGREQ → PINGRESP
      }
    });
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`, sockets })));
}

/** Topic filters in a SUBSCRIBE payload: u16 length, the filter, one options byte, repeated. */
function countTopics(payload: Buffer): number {
  let count = 0;
  for (let at = 0; at + 2 <= payload.length; count++) at += 2 + payload.readUInt16BE(at) + 1;
  return count;
}

describe('a hostile broker', () => {
  it('announcing a 256 MiB packet is cut off at the header: the connection ends and health says why', async () => {
    let clientGone = false;
    const broker = await hostileBroker(() => void (clientGone = true));
    const bob = party('bob');
    // A long keep-alive, so only the guard (not a missed PINGRESP) can end the connection within the wait.
    const transport = mqttTransport({ url: broker.url, identity: bob, protocolVersion: 4, ...FAST, keepaliveSeconds: 60, maxEnvelopeBytes: 64 * 1024 });
    try {
      await transport.start({ routingTags: [tagOf(bob)], deliver: async () => undefined });
      await until('the transport to end the connection at the oversized header', () => clientGone, 10_000);
      await until('health to say why', () => /exceeds/.test(transport.health().reason ?? ''), 10_000);
      expect(transport.health().state).not.toBe('up');
    } finally {
      await transport.stop({ signal: AbortSignal.timeout(5_000) });
      for (const socket of broker.sockets) socket.destroy();
    }
  });
});
