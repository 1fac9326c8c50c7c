import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, type FaultProxy } from '@herald/drill';

/** An echo server behind the proxy: what goes in comes back, so both directions are exercised. */
async function echo(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as { port: number }).port };
}

function client(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `text` and resolves with the echo and how long it took, or undefined when nothing came back in time. */
function roundTrip(socket: Socket, text: string, timeoutMs = 1500): Promise<{ reply: string; ms: number } | undefined> {
  const start = Date.now();
  return new Promise((resolve) => {
    let reply = '';
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const onData = (chunk: Buffer): void => {
      reply += chunk.toString();
      if (reply.length >= text.length) done({ reply, ms: Date.now() - start });
    };
    const done = (value: { reply: string; ms: number } | undefined): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(value);
    };
    socket.on('data', onData);
    socket.write(text);
  });
}

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(): Promise<{ proxy: FaultProxy; socket: Socket }> {
  const { server, port } = await echo();
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  const proxy = await startProxy(port);
  cleanup.push(() => proxy.close());
  const socket = await client(proxy.port);
  socket.on('error', () => undefined);
  cleanup.push(() => void socket.destroy());
  return { proxy, socket };
}

describe('fault proxy', () => {
  it('passes on what a service said before it hung up, over a delayed link, then the hang-up (a refusal and FIN)', async () => {
    // Answers the first bytes it reads and hangs up at once, as a broker refusing a login does.
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end('refused'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    const proxy = await startProxy((server.address() as { port: number }).port);
    cleanup.push(() => proxy.close());
    proxy.setFault({ mode: 'delay', delayMs: 200 });
    const socket = await client(proxy.port);
    socket.on('error', () => undefined);
    cleanup.push(() => void socket.destroy());
    let heard = '';
    socket.on('data', (chunk: Buffer) => (heard += chunk.toString()));
    const start = Date.now();
    const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    socket.write('login');
    await ended;
    expect(heard, 'the answer arrives before the end, not cut off by it').toBe('refused');
    expect(Date.now() - start, 'both ways delayed').toBeGreaterThanOrEqual(400);
  });

  it('forwards both ways and counts bytes', async () => {
    const { proxy, socket } = await setup();
    expect((await roundTrip(socket, 'hello'))?.reply).toBe('hello');
    expect(proxy.bytes()).toEqual({ up: 5, down: 5 });
  });

  it('blackholes a live connection silently and lets the held data through when healed', async () => {
    const { proxy, socket } = await setup();
    proxy.setFault({ mode: 'blackhole' });
    expect(await roundTrip(socket, 'lost?', 400)).toBeUndefined();
    let late = '';
    socket.on('data', (chunk: Buffer) => (late += chunk.toString()));
    proxy.setFault(undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(late).toBe('lost?');
  });

  it('resets connections, and new ones while the fault lasts', async () => {
    const { proxy, socket } = await setup();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    proxy.setFault({ mode: 'reset' });
    await closed;
    const again = connect({ host: '127.0.0.1', port: proxy.port });
    const outcome = await new Promise<string>((resolve) => {
      again.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      again.once('close', () => resolve('closed'));
    });
    expect(['ECONNRESET', 'closed']).toContain(outcome);
    proxy.setFault(undefined);
    const healed = await client(proxy.port);
    cleanup.push(() => void healed.destroy());
    expect((await roundTrip(healed, 'back'))?.reply).toBe('back');
  });

  it('adds delay each way and caps bandwidth', async () => {
    const { proxy, socket } = await setup();
    proxy.setFault({ mode: 'delay', delayMs: 150 });
    const delayed = await roundTrip(socket, 'slow');
    expect(delayed?.ms).toBeGreaterThanOrEqual(290);
    proxy.setFault({ mode: 'bandwidth', bytesPerSecond: 10_000 });
    const capped = await roundTrip(socket, 'x'.repeat(2000), 3000);
    // 2 000 bytes each way at 10 kB/s: at least 200 ms one way, 400 ms for both.
    expect(capped?.ms).toBeGreaterThanOrEqual(350);
  });

  it('delays a lost chunk by TCP-like retransmissions and still delivers it whole', async () => {
    const { proxy, socket } = await setup();
    // Every chunk lost six times in a row: each way 20 ms + 6 × (2 × 20 ms + 200 ms) = 1 460 ms.
    proxy.setFault({ mode: 'delay', delayMs: 20, lossRate: 1 });
    const resent = await roundTrip(socket, 'resent', 6_000);
    expect(resent?.reply).toBe('resent');
    expect(resent?.ms).toBeGreaterThanOrEqual(2_900);
  });

  it('drops data when told to drop everything', async () => {
    const { proxy, socket } = await setup();
    proxy.setFault({ mode: 'drop', dropRate: 1 });
    expect(await roundTrip(socket, 'gone', 300)).toBeUndefined();
  });
});
