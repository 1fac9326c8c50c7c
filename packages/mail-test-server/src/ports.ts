import { connect, createServer } from 'node:net';

/** A port the kernel just handed out on 127.0.0.1 and that is free again: the daemons bind it moments later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free loopback port'))));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until the port is open (`wanted` true) or closed, or fails with `failure` after `timeoutMs`. */
async function waitUntil(port: number, wanted: boolean, timeoutMs: number, failure: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await listening(port)) !== wanted) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port, or rejects after `timeoutMs`. */
export function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  return waitUntil(port, true, timeoutMs, () => `${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Resolves once nothing accepts connections on the port any more (a stopped daemon released it). */
export function waitForPortClosed(port: number, timeoutMs: number, what: string): Promise<void> {
  return waitUntil(port, false, timeoutMs, () => `${what} still listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}
