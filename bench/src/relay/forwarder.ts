/**
 * The baselines of bench:relay, run as its own process: a bare `ws` server that
 * forwards every binary message from any client to the client that said
 * "receiver", and every binary message from the receiver to the client that
 * said "sender" (the receipts of the receipt baseline). No storage, no crypto,
 * no framing.
 * GET /rss answers its resident memory, for the idle-connection comparison.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

const server = createServer((request, response) => {
  if (request.url === '/rss') response.end(String(process.memoryUsage().rss));
  else response.writeHead(404).end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false, maxPayload: 64 * 1024 * 1024 });
let receiver: WebSocket | undefined;
let sender: WebSocket | undefined;
wss.on('connection', (socket) => {
  socket.on('error', () => socket.terminate());
  socket.on('message', (data, isBinary) => {
    if (!isBinary) {
      if (String(data) === 'receiver') receiver = socket;
      if (String(data) === 'sender') sender = socket;
      return;
    }
    if (socket === receiver) sender?.send(data as Buffer);
    else receiver?.send(data as Buffer);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`forwarder listening on ws://127.0.0.1:${(server.address() as AddressInfo).port}/\n`);
});
process.on('SIGTERM', () => process.exit(0));
