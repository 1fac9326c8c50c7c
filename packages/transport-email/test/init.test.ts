import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emailInitFromConfig, emailTransport, loadEmailConfig, parseEmailUrl, parseServerUrl, type EmailTransportInit } from '@herald/transport-email';

const TAG = '0123456789abcdef0123456789abcdef';
const base: EmailTransportInit = { address: 'bob@mission.example', smtp: { url: 'smtps://mail.mission.example', user: 'bob', password: 'pw' }, imap: { url: 'imaps://mail.mission.example', user: 'bob', password: 'pw' }, addressBook: { [TAG]: 'alice@ops.example' } };

function refused(init: unknown): string {
  try {
    emailTransport(init as EmailTransportInit);
  } catch (error) {
    expect((error as { code?: string }).code).toBe('INVALID_OPTIONS');
    return (error as Error).message;
  }
  throw new Error('expected emailTransport to refuse the init');
}

describe('email channel URL', () => {
  it('parses email:ADDRESS with server URLs, and names the channel by the address only', () => {
    expect(parseEmailUrl('email:bob@mission.example?smtp=smtp://mail.mission.example:2587&imap=imaps://mail.mission.example')).toEqual({
      address: 'bob@mission.example',
      smtp: { host: 'mail.mission.example', port: 2587, security: 'starttls' },
      imap: { host: 'mail.mission.example', port: 993, security: 'tls' },
    });
    const { address: _address, ...withoutAddress } = base;
    expect(emailTransport({ ...withoutAddress, url: 'email:bob@mission.example' }).name).toBe('email:bob@mission.example');
    expect(parseServerUrl('smtp+plain://127.0.0.1:2525', 'smtp', 'x')).toEqual({ host: '127.0.0.1', port: 2525, security: 'none' });
  });

  it('refuses credentials in URLs, other schemes and malformed addresses', () => {
    expect(() => parseServerUrl('smtps://bob:secret@mail.example', 'smtp', 'smtp')).toThrow(/credentials never go in a URL/);
    expect(() => parseServerUrl('imaps://mail.example', 'smtp', 'smtp')).toThrow(/expected a smtp/);
    expect(() => parseEmailUrl('email:not-an-address')).toThrow(/mailbox address/);
    expect(() => parseEmailUrl('mailto:bob@mission.example')).toThrow(/"email:" URL/);
    expect(() => parseEmailUrl('email:bob@mission.example?password=x')).toThrow(/unknown parameter "password"/);
  });
});

describe('emailTransport init', () => {
  it('names every problem precisely', () => {
    expect(refused({ ...base, smtp: undefined, imap: undefined })).toMatch(/give smtp \(to send\), imap \(to receive\), or both/);
    expect(refused({ ...base, addressBook: { 'alice.card': 'alice@ops.example' } })).toMatch(/"alice.card" is not a routing tag/);
    expect(refused({ ...base, addressBook: { [TAG]: 'Alice <alice@ops.example>' } })).toMatch(/expected an e-mail address/);
    expect(refused({ ...base, smtp: { url: 'smtps://mail.example', user: 'bob' } })).toMatch(/user bob needs a password/);
    expect(refused({ ...base, smtp: { url: 'smtps://mail.example', user: 'bob', password: 'a', passwordEnv: 'B' } })).toMatch(/one of password, passwordFile or passwordEnv/);
    expect(refused({ ...base, smtp: { host: 'mail.example', security: 'none', user: 'bob', password: 'a' } })).toMatch(/refusing to send a password without TLS to mail.example/);
    expect(refused({ ...base, imap: { url: 'imaps://mail.example', user: 'bob', passwordEnv: 'HERALD_TEST_UNSET_VARIABLE' } })).toMatch(/HERALD_TEST_UNSET_VARIABLE is not set/);
    expect(refused({ ...base, camouflage: { subject: 'hi\r\nBcc: eve@example.org' } })).toMatch(/camouflage.subject: must not contain line breaks/);
    expect(refused({ ...base, camouflage: { subjects: ['fine', 'hi\nBcc: eve@example.org'] } })).toMatch(/camouflage.subjects\[1\]: must not contain line breaks/);
    expect(refused({ ...base, camouflage: { bodies: [] } })).toMatch(/camouflage.bodies: expected a list of 1 to 1000 strings/);
    expect(refused({ ...base, camouflage: { attachmentNames: [' '] } })).toMatch(/camouflage.attachmentNames: entries must not be empty/);
    expect(refused({ ...base, camouflage: { language: 'xx' } })).toMatch(/camouflage.language: expected one of en, de, fr, es, pt, ru, got "xx"/);
    expect(refused({ ...base, proxy: 'ftp://proxy' })).toMatch(/emailTransport: proxy: proxy scheme ftp: is not supported/);
    expect(refused({ ...base, processed: { action: 'move' } })).toMatch(/processed.mailbox/);
    expect(refused({ ...base, format: 'pgp' })).toMatch(/format: expected "attachment" or "armored"/);
    expect(refused({ ...base, maxEnvelopeBytes: 0 })).toMatch(/maxEnvelopeBytes: expected whole bytes from 1/);
    expect(refused({ ...base, pasword: 'x' })).toMatch(/unknown option "pasword"/);
    // Checked from EmailTransportInitSchema: nested unknown keys and types name the field and the value.
    expect(refused({ ...base, camouflage: { subjet: 'x' } })).toBe('emailTransport: camouflage: unknown option "subjet" (known: subject, subjects, fromName, bodyText, bodies, attachmentName, attachmentNames, language)');
    expect(refused({ ...base, idle: 'no' })).toBe('emailTransport: idle: expected true or false, got "no"');
  });

  it('never puts a password in the channel name or in refusal messages', () => {
    expect(emailTransport(base).name).toBe('email:bob@mission.example');
    const message = refused({ ...base, smtp: { url: 'smtps://mail.example', user: 'bob', password: 'hunter2', passwordFile: '/nonexistent' } });
    expect(message).not.toContain('hunter2');
  });

  it('refuses a password file that others may read, naming its mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herald-email-pass-'));
    const path = join(dir, 'bob.pass');
    await writeFile(path, 'secret-in-a-file\n', { mode: 0o644 });
    await chmod(path, 0o644);
    const message = refused({ ...base, smtp: { url: 'smtps://mail.example', user: 'bob', passwordFile: path } });
    expect(message).toContain(`passwordFile: ${path} may be read by others (mode 0644); make it 0600`);
    expect(message).not.toContain('secret-in-a-file');
    await chmod(path, 0o600);
    expect(() => emailTransport({ ...base, smtp: { url: 'smtps://mail.example', user: 'bob', passwordFile: path } })).not.toThrow();
  });

  it('builds the init for email:ADDRESS from a config file (password and CA files relative to it)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herald-email-config-'));
    await writeFile(join(dir, 'bob.pass'), 'from-the-file\n', { mode: 0o600 });
    await writeFile(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    const path = join(dir, 'email.json');
    await writeFile(path, JSON.stringify({ accounts: { 'bob@mission.example': { smtp: { url: 'smtp://mail.mission.example', user: 'bob', passwordFile: 'bob.pass', caFile: 'ca.pem' }, processed: { action: 'flag' } } }, addressBook: { [TAG]: 'alice@ops.example' } }));
    const init = emailInitFromConfig('email:bob@mission.example', loadEmailConfig(path));
    expect(init.smtp).toMatchObject({ url: 'smtp://mail.mission.example', user: 'bob', passwordFile: join(dir, 'bob.pass'), ca: '-----BEGIN CERTIFICATE-----\n' });
    expect(init.addressBook).toEqual({ [TAG]: 'alice@ops.example' });
    expect(emailTransport(init).name).toBe('email:bob@mission.example');
    expect(() => emailInitFromConfig('email:carol@mission.example', loadEmailConfig(path))).toThrow(/no account for carol@mission.example/);
    await writeFile(path, '{ "acounts": {} }');
    expect(() => loadEmailConfig(path)).toThrow(/unknown key "acounts"/);
  });
});
