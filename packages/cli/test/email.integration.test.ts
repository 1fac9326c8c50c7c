import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToFile, generateIdentity, writeSecretKeyFile } from '@herald/core';
import { startMailSystem, type MailSystem } from '@herald/mail-test-server';
import { run, until } from './process-kit.js';

/** `herald listen` and `herald send` as real processes over --via email:, through a real Postfix + Dovecot. */
let workdir: string;
let mail: MailSystem;
beforeAll(async () => {
  workdir = await mkdtemp(join(tmpdir(), 'herald-cli-email-'));
  mail = await startMailSystem({ domain: 'mission.test' });
}, 60_000);
afterAll(async () => {
  await mail?.close();
  await rm(workdir, { recursive: true, force: true });
});

describe('herald send and listen over --via email:', () => {
  // Generous bounds: two node processes and a mail system on a shared 2-core machine.
  it('delivers through the mail server with accounts from a config file; no password on the command line or in the output', { timeout: 180_000 }, async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    await writeSecretKeyFile(join(workdir, 'alice.key'), alice);
    await writeSecretKeyFile(join(workdir, 'bob.key'), bob);
    await writeFile(join(workdir, 'alice.card'), cardToFile(alice.card));
    await writeFile(join(workdir, 'bob.card'), cardToFile(bob.card));
    await writeFile(join(workdir, 'ca.pem'), mail.ca);
    await writeFile(join(workdir, 'mail.pass'), `${mail.password}\n`, { mode: 0o600 });
    const [aliceAddress, bobAddress] = [mail.newAddress('alice'), mail.newAddress('bob')];
    const account = (address: string) => ({
      smtp: { url: `smtp://127.0.0.1:${mail.smtp.port}`, user: address, passwordFile: 'mail.pass', caFile: 'ca.pem' },
      imap: { url: `imaps://127.0.0.1:${mail.imap.securePort}`, user: address, passwordEnv: 'TEST_IMAP_PASSWORD', caFile: 'ca.pem' },
      pollIntervalMs: 2000,
    });
    // The address book names card files; the CLI turns them into routing tags.
    await writeFile(join(workdir, 'email.json'), JSON.stringify({ accounts: { [aliceAddress]: account(aliceAddress), [bobAddress]: account(bobAddress) }, addressBook: { 'alice.card': aliceAddress, 'bob.card': bobAddress } }));
    const env = { HERALD_EMAIL_CONFIG: join(workdir, 'email.json'), TEST_IMAP_PASSWORD: mail.password };

    const listener = run(['listen', '--json', '--key', join(workdir, 'bob.key'), '--via', `email:${bobAddress}`, '--data-dir', join(workdir, 'bob-data'), '--contact', join(workdir, 'alice.card')], env);
    try {
      // The listener's process listing (its argument list) names the config file at most, never a password.
      await until(() => listener.output().includes('listening as'), 60_000, 'the listener to start');
      const cmdline = await readFile(`/proc/${listener.child.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain(`email:${bobAddress}`);
      expect(cmdline).not.toContain(mail.password);
      const send = run(['send', '--key', join(workdir, 'alice.key'), '--to', join(workdir, 'bob.card'), '--via', `email:${aliceAddress}`, '--data-dir', join(workdir, 'alice-data'), '--wait', '90s', 'Convoy leaves at 06:00'], env);
      expect(await send.exited, send.output()).toBe(0);
      await until(() => listener.output().includes('Convoy leaves at 06:00'), 60_000, 'the message at the listener');
      const line = JSON.parse(listener.output().split('\n').find((candidate) => candidate.includes('Convoy'))!) as Record<string, string>;
      expect(line['channel']).toBe(`email:${bobAddress}`);
      expect(send.output() + listener.output()).not.toContain(mail.password);
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }
  });

  it('says what an email: channel needs when no config file is given', { timeout: 120_000 }, async () => {
    const alice = generateIdentity({ label: 'Alice' });
    await writeSecretKeyFile(join(workdir, 'solo.key'), alice);
    const send = run(['flush', '--key', join(workdir, 'solo.key'), '--via', 'email:alice@mission.test', '--data-dir', join(workdir, 'solo-data')], { HERALD_EMAIL_CONFIG: '' });
    expect(await send.exited).toBe(2);
    expect(send.output()).toMatch(/reads its accounts from a config file: add \?config=FILE or set HERALD_EMAIL_CONFIG=FILE/);
  });
});
