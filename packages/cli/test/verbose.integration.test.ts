import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aliceAndBob, herald, run, until } from './process-kit.js';

const dir = await mkdtemp(join(tmpdir(), 'herald-verbose-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A loopback port nothing listens on: taken from the kernel, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('-v says why a message waits', () => {
  it('send -v names each channel passed over and why, the one that took it, and when and where the next try goes; listen -v names the ack it sent', async () => {
    const { keys } = await aliceAndBob(dir);
    const spool = join(dir, 'spool');
    await mkdir(spool);
    const dead = `ws://127.0.0.1:${await closedPort()}/`;
    const sent = await herald(['send', '-v', '--key', keys.alice, '--data-dir', join(dir, 'alice'), '--via', dead, '--via', `dir:${spool}`, '--to', join(dir, 'bob.card'), '--wait', '2s', 'hello']);
    expect(sent.code, sent.stderr).toBe(3);
    const id = sent.stdout.toString().trim();
    const lines = sent.stderr.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${id} attempt via ${dead}: passed over, CHANNEL_UNAVAILABLE: down: .*ECONNREFUSED`)));
    expect(lines).toContainEqual(`${id} attempt via dir:${spool}: taken`);
    // After the ack deadline the message is hedged on the next channel round the list: the failover is announced.
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${id} no ack yet: at \\d\\d:\\d\\d:\\d\\d \\(in \\d+ s\\) it goes again via ${dead}$`)));

    // Without -v none of these lines.
    const quiet = await herald(['send', '--key', keys.alice, '--data-dir', join(dir, 'alice'), '--via', `dir:${spool}`, '--to', 'Bob', '--wait', '1s', 'quiet']);
    expect(quiet.stderr).not.toMatch(/attempt via|no ack yet/);

    const listener = run(['listen', '-v', '--key', keys.bob, '--data-dir', join(dir, 'bob'), '--via', `dir:${spool}`, '--contact', join(dir, 'alice.card')]);
    // One ack may carry several ids (both messages waited in the folder), in any order.
    const ackLine = new RegExp(`ack for [0-9a-f, ]*${id}[0-9a-f, ]* sent via dir:`);
    try {
      await until(() => ackLine.test(listener.output()), 30_000, "Bob's ack");
    } finally {
      // Stopped whatever happened, so a failure leaves no listener polling behind.
      listener.child.kill('SIGTERM');
      await listener.exited;
    }
    expect(listener.output()).toMatch(new RegExp(`ack for [0-9a-f, ]*${id}[0-9a-f, ]* sent via dir:${spool}$`, 'm'));
  }, 90_000);
});
