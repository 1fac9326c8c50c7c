import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { imapClient } from '../src/imap-client.js';

/**
 * Threat model 12.1: the IMAP ID command tells a server nothing about the client. A bare IMAP server on loopback
 * that offers ID records what the channel's client says, and refuses the login.
 */
describe('the IMAP ID command', () => {
  it('is sent as ID NIL: no client name, version or vendor', async () => {
    const lines: string[] = [];
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.write('* OK [CAPABILITY IMAP4rev1 ID AUTH=PLAIN] ready\r\n');
      let buffered = '';
      socket.on('data', (chunk) => {
        buffered += chunk.toString('latin1');
        let end: number;
        while ((end = buffered.indexOf('\r\n')) >= 0) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          lines.push(line);
          const [tag, command] = line.split(' ');
          if (command?.toUpperCase() === 'CAPABILITY') socket.write(`* CAPABILITY IMAP4rev1 ID AUTH=PLAIN\r\n${tag} OK done\r\n`);
          else if (command?.toUpperCase() === 'ID') socket.write(`* ID NIL\r\n${tag} OK done\r\n`);
          else socket.write(`${tag} NO [AUTHENTICATIONFAILED] not here\r\n`);
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = imapClient({ host: '127.0.0.1', port, security: 'none', user: 'bob', password: 'secret' }, { idle: false, pollIntervalMs: 1000, timeoutMs: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect().catch(() => undefined);
      const id = lines.filter((line) => /^\S+ ID\b/i.test(line));
      expect(id).toHaveLength(1);
      expect(id[0]).toMatch(/^\S+ ID NIL$/i);
    } finally {
      client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
