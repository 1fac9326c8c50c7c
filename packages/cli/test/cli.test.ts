import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPassphraseProtected, parseCard, toHex } from '@herald/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The built CLI as real processes: `pnpm test` runs `tsc -b` first, so dist/ is
 * what a user would run. Each spawn costs ~150 ms; keys are made once.
 */
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const COMMANDS = ['keygen', 'card', 'fingerprint', 'seal', 'open', 'inspect'];
const FINGERPRINT = /^[0-9A-Z]{5}( [0-9A-Z]{5}){4}$/;
const STACK_LINE = '    at ';

interface Result {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly text: string;
}

interface RunOptions {
  readonly input?: Uint8Array | string;
  readonly env?: Record<string, string>;
}

let dir = '';

/** A clean environment: an outer HERALD_PASSPHRASE or NODE_OPTIONS must not change what a test sees. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('HERALD_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  env['HERALD_KDF_STRENGTH'] = 'interactive';
  return env;
}

function herald(args: readonly string[], options: RunOptions = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...baseEnv(), ...options.env }, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out);
      resolve({ code, stdout, stderr: Buffer.concat(err).toString('utf8'), text: stdout.toString('utf8') });
    });
    // A command may exit before reading stdin (usage errors); that EPIPE is expected.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Parses open's `key: value` metadata lines. */
function metadata(stderr: string): Record<string, string> {
  return Object.fromEntries(
    stderr
      .split('\n')
      .filter((line) => line.includes(': '))
      .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
  );
}

function expectRefused(result: Result, code: string): void {
  expect(result.stderr).toMatch(new RegExp(`^error ${code}: \\S`));
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toContain(STACK_LINE);
  expect(result.stdout.length).toBe(0);
  expect(result.code).toBe(1);
}

async function sealFor(recipients: readonly string[], input: Uint8Array | string, extra: readonly string[] = []): Promise<Buffer> {
  const result = await herald(['seal', '--from', 'alice.key', ...recipients.flatMap((to) => ['--to', to]), ...extra], { input });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

const fingerprints: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'herald-cli-'));
  const names = ['alice', 'bob', 'carol', 'dave'];
  const results = await Promise.all(names.map((name) => herald(['keygen', '--out', `${name}.key`, '--label', name])));
  results.forEach((result, index) => {
    expect(result.code, result.stderr).toBe(0);
    fingerprints[names[index] ?? ''] = result.text.trim();
  });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.concurrent('keygen, card, fingerprint', () => {
  it('writes a 0600 key and a card, and prints the fingerprint that `fingerprint` reports', async () => {
    const result = await herald(['keygen', '--out', 'erin.key', '--label', 'Erin']);
    expect(result.code).toBe(0);
    expect(result.text).toMatch(new RegExp(`${FINGERPRINT.source.slice(0, -1)}\\n$`));
    expect((await stat(join(dir, 'erin.key'))).mode & 0o777).toBe(0o600);
    const cardFile = await readFile(join(dir, 'erin.card'), 'utf8');
    expect(parseCard(cardFile).label).toBe('Erin');
    const printed = result.text.trim();
    for (const argument of ['erin.card', 'erin.key', cardFile.trim().split('\n').at(-1) ?? '']) {
      const fingerprint = await herald(['fingerprint', argument]);
      expect(fingerprint.code, argument).toBe(0);
      expect(fingerprint.text).toBe(`${printed}\n`);
    }
    const keyBody = (await readFile(join(dir, 'erin.key'), 'utf8')).split('\n')[1] ?? '';
    expect(keyBody.length).toBeGreaterThan(20);
    expect(result.text + result.stderr).not.toContain(keyBody);
  });

  it('refuses to overwrite without --force, and overwrites with it', async () => {
    const before = await readFile(join(dir, 'alice.key'), 'utf8');
    expectRefused(await herald(['keygen', '--out', 'alice.key']), 'FILE_EXISTS');
    expect(await readFile(join(dir, 'alice.key'), 'utf8')).toBe(before);
    await herald(['keygen', '--out', 'frank.key']);
    const again = await herald(['keygen', '--out', 'frank.key', '--force']);
    expect(again.code).toBe(0);
    expect(parseCard(await readFile(join(dir, 'frank.card'), 'utf8')).fingerprint).toBe(again.text.trim());
  });

  it('appends .card when the key path does not end in .key', async () => {
    const result = await herald(['keygen', '--out', 'gina.secret']);
    expect(result.code).toBe(0);
    expect(parseCard(await readFile(join(dir, 'gina.secret.card'), 'utf8')).fingerprint).toBe(result.text.trim());
  });

  it('card prints the one-line card of a key, which parses to the same identity', async () => {
    const result = await herald(['card', 'bob.key']);
    expect(result.code).toBe(0);
    expect(result.text).toMatch(/^herald-card:[A-Za-z0-9_-]+\n$/);
    const card = parseCard(result.text);
    expect(card.fingerprint).toBe(fingerprints['bob']);
    expect(card.label).toBe('bob');
  });

  it('fails with FILE_NOT_FOUND for a missing key or card', async () => {
    expectRefused(await herald(['card', 'nobody.key']), 'FILE_NOT_FOUND');
    expectRefused(await herald(['seal', '--from', 'alice.key', '--to', 'nobody.card'], { input: 'x' }), 'FILE_NOT_FOUND');
  });
});

describe.concurrent('seal and open', () => {
  it('round trips text, binary envelope, with metadata on stderr only', async () => {
    const message = 'Meet at the north gate at 0600.\n';
    const envelope = await sealFor(['bob.card'], message);
    expect(envelope.includes(Buffer.from('north gate'))).toBe(false);
    const opened = await herald(['open', '--key', 'bob.key'], { input: envelope });
    expect(opened.code).toBe(0);
    expect(opened.text).toBe(message);
    expect(opened.stderr).not.toContain('north gate');
    const meta = metadata(opened.stderr);
    expect(meta['sender']).toBe(fingerprints['alice']);
    expect(meta['id']).toMatch(/^[0-9a-f]{32}$/);
    expect(meta['precedence']).toBe('ROUTINE');
    expect(meta['content-type']).toBe('text/plain; charset=utf-8');
    expect(Date.parse(meta['expires'] ?? '') - Date.parse(meta['created'] ?? '')).toBe(24 * 3600 * 1000);
  });

  it('round trips random bytes, binary and armored', async () => {
    const payload = randomBytes(5000);
    for (const extra of [[], ['--armor']]) {
      const envelope = await sealFor(['bob.card'], payload, extra);
      if (extra.length > 0) expect(envelope.toString('latin1')).toMatch(/^-----BEGIN HERALD ENVELOPE-----\n[A-Za-z0-9+/=\n]+-----END HERALD ENVELOPE-----\n$/);
      const opened = await herald(['open', '--key', 'bob.key'], { input: envelope });
      expect(opened.code, opened.stderr).toBe(0);
      expect(opened.stdout.equals(payload)).toBe(true);
      expect(metadata(opened.stderr)['content-type']).toBe('application/octet-stream');
    }
  });

  it('armored text round trips', async () => {
    const envelope = await sealFor(['bob.card'], 'armored hello', ['--armor', '--content-type', 'text/x-note']);
    expect(envelope.toString('latin1').startsWith('-----BEGIN HERALD ENVELOPE-----\n')).toBe(true);
    const opened = await herald(['open', '--key', 'bob.key'], { input: envelope });
    expect(opened.text).toBe('armored hello');
    expect(metadata(opened.stderr)['content-type']).toBe('text/x-note');
  });

  it('escapes a hostile content type so it cannot forge metadata lines', async () => {
    const envelope = await sealFor(['bob.card'], 'x', ['--content-type', 'text/x\nsender: FORGED\u001b[2J']);
    const opened = await herald(['open', '--key', 'bob.key'], { input: envelope });
    expect(opened.code).toBe(0);
    expect(opened.stderr).not.toMatch(/^sender: FORGED/m);
    expect(opened.stderr).not.toContain('\u001b');
    expect(metadata(opened.stderr)['sender']).toBe(fingerprints['alice']);
  });

  it('three recipients can each open; anyone else gets NOT_FOR_ME', async () => {
    const envelope = await sealFor(['bob.card', 'carol.card', 'dave.card'], 'to all three', ['--armor']);
    for (const name of ['bob', 'carol', 'dave']) {
      const opened = await herald(['open', '--key', `${name}.key`, '--sender', 'alice.card'], { input: envelope });
      expect(opened.code, `${name}: ${opened.stderr}`).toBe(0);
      expect(opened.text).toBe('to all three');
    }
    expectRefused(await herald(['open', '--key', 'alice.key'], { input: envelope }), 'NOT_FOR_ME');
  });

  it('carries --precedence and --ttl into the opened metadata', async () => {
    const envelope = await sealFor(['bob.card'], 'urgent', ['--precedence', 'flash', '--ttl', '1h']);
    const meta = metadata((await herald(['open', '--key', 'bob.key'], { input: envelope })).stderr);
    expect(meta['precedence']).toBe('FLASH');
    expect(Date.parse(meta['expires'] ?? '') - Date.parse(meta['created'] ?? '')).toBe(3600 * 1000);
  });

  it('--sender accepts the right card and refuses any other with UNKNOWN_SENDER', async () => {
    const envelope = await sealFor(['bob.card'], 'from alice');
    const right = await herald(['open', '--key', 'bob.key', '--sender', 'alice.card'], { input: envelope });
    expect(right.code).toBe(0);
    expect(metadata(right.stderr)['sender-label']).toBe('alice');
    expectRefused(await herald(['open', '--key', 'bob.key', '--sender', 'carol.card'], { input: envelope }), 'UNKNOWN_SENDER');
  });

  it('--compact-sender needs the sender card on the receiving side', async () => {
    const envelope = await sealFor(['bob.card'], 'compact', ['--compact-sender']);
    expectRefused(await herald(['open', '--key', 'bob.key'], { input: envelope }), 'UNKNOWN_SENDER');
    const opened = await herald(['open', '--key', 'bob.key', '--contact', 'carol.card', '--contact', 'alice.card'], { input: envelope });
    expect(opened.text).toBe('compact');
    expect(metadata(opened.stderr)['sender']).toBe(fingerprints['alice']);
  });

  it('--compact-text seals radio text for cipher groups in at most 80 groups, and it opens as the same text', async () => {
    const radio = 'SITREP 0415Z: ROAD BLOCKED AT KM 42, BRIDGE OUT. 2 TRUCKS TURNED BACK. REQUEST ENGINEERS (PRIORITY).';
    const plain = await sealFor(['bob.card'], radio, ['--no-pad', '--compact-sender']);
    const coded = await sealFor(['bob.card'], radio, ['--no-pad', '--compact-sender', '--compact-text']);
    expect(plain.length - coded.length).toBeGreaterThanOrEqual(27);
    const opened = await herald(['open', '--key', 'bob.key', '--contact', 'alice.card'], { input: coded });
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.text).toBe(radio);
    expect(metadata(opened.stderr)['content-type']).toBe('text/plain; charset=utf-8');
    const groups = await herald(['groups'], { input: coded });
    const total = Number(/, (\d+) groups with the checks \(compact form\)/.exec(groups.stderr)?.[1]);
    expect(total).toBeLessThanOrEqual(80);
    // Counted honestly: every five-letter group on the page (data, line checks, the header's check).
    expect(groups.text.match(/\b[A-Z]{5}\b/g)).toHaveLength(total);
    const back = await herald(['groups', '--read', '--key', 'bob.key'], { input: groups.text.toLowerCase() });
    expect(Buffer.compare(back.stdout, coded)).toBe(0);
  });

  it('refuses an envelope for someone else with NOT_FOR_ME', async () => {
    const envelope = await sealFor(['bob.card'], 'for bob');
    expectRefused(await herald(['open', '--key', 'carol.key'], { input: envelope }), 'NOT_FOR_ME');
  });

  it('refuses a tampered envelope without a stack trace', async () => {
    const envelope = await sealFor(['bob.card'], 'do not alter');
    for (const index of [envelope.length - 1, envelope.length - 40, 2]) {
      const tampered = Buffer.from(envelope);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      const result = await herald(['open', '--key', 'bob.key'], { input: tampered });
      expectRefused(result, 'DECRYPT_FAILED');
    }
  });

  it('refuses garbage with MALFORMED', async () => {
    const envelope = await sealFor(['bob.card'], 'soon truncated');
    const inputs = [
      'this is not an envelope at all\n',
      envelope.subarray(0, 30),
      '-----BEGIN HERALD ENVELOPE-----\n***not base64***\n-----END HERALD ENVELOPE-----\n',
      '',
    ];
    for (const input of inputs) expectRefused(await herald(['open', '--key', 'bob.key'], { input }), 'MALFORMED');
  });

  it('--no-pad makes a short message smaller', async () => {
    const padded = await sealFor(['bob.card'], 'hi');
    const unpadded = await sealFor(['bob.card'], 'hi', ['--no-pad']);
    expect(unpadded.length).toBeLessThan(padded.length);
    const opened = await herald(['open', '--key', 'bob.key'], { input: unpadded });
    expect(opened.text).toBe('hi');
    expect(metadata(opened.stderr)['padded']).toBe('no');
  });
});

describe.concurrent('passphrase-protected keys', () => {
  const env = { HERALD_PASSPHRASE: 'correct horse battery staple' };

  beforeAll(async () => {
    await writeFile(join(dir, 'pass.txt'), `${env.HERALD_PASSPHRASE}\n`);
    const made = await herald(['keygen', '--out', 'locked.key', '--passphrase-file', 'pass.txt']);
    expect(made.code, made.stderr).toBe(0);
  });

  it('writes a protected key that round trips with either passphrase source', async () => {
    expect(isPassphraseProtected(await readFile(join(dir, 'locked.key'), 'utf8'))).toBe(true);
    const sealed = await herald(['seal', '--from', 'locked.key', '--to', 'bob.card'], { input: 'from the vault', env });
    expect(sealed.code, sealed.stderr).toBe(0);
    expect((await herald(['open', '--key', 'bob.key'], { input: sealed.stdout })).text).toBe('from the vault');
    const back = await sealFor(['locked.card'], 'to the vault');
    const opened = await herald(['open', '--key', 'locked.key', '--passphrase-file', 'pass.txt'], { input: back });
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.text).toBe('to the vault');
    expect(opened.stderr).not.toContain(env.HERALD_PASSPHRASE);
  });

  it('fails with PASSPHRASE_REQUIRED without one and BAD_PASSPHRASE with a wrong one', async () => {
    expectRefused(await herald(['card', 'locked.key']), 'PASSPHRASE_REQUIRED');
    expectRefused(await herald(['seal', '--from', 'locked.key', '--to', 'bob.card'], { input: 'x' }), 'PASSPHRASE_REQUIRED');
    const wrong = { HERALD_PASSPHRASE: 'wrong horse' };
    expectRefused(await herald(['card', 'locked.key'], { env: wrong }), 'BAD_PASSPHRASE');
    const back = await sealFor(['locked.card'], 'x');
    expectRefused(await herald(['open', '--key', 'locked.key'], { input: back, env: wrong }), 'BAD_PASSPHRASE');
    expectRefused(await herald(['card', 'locked.key'], { env: { HERALD_PASSPHRASE: '' } }), 'EMPTY_PASSPHRASE');
  });

  it('takes no passphrase as a flag value, which other local users could read in the process list', async () => {
    for (const args of [['keygen', '--out', 'flagged.key', '--passphrase', 'hunter2'], ['keygen', '--out', 'flagged.key', '--passphrase=hunter2'], ['card', 'locked.key', '--passphrase', 'hunter2']]) {
      const refused = await herald(args);
      expect({ args, code: refused.code }).toEqual({ args, code: 2 });
      expect(refused.stderr + refused.text).not.toContain('hunter2');
    }
    await expect(readFile(join(dir, 'flagged.key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe.concurrent('inspect', () => {
  it('shows routing tags and sizes but neither plaintext nor sender', async () => {
    const envelope = await sealFor(['bob.card', 'carol.card'], 'the secret plan');
    const bobTag = toHex(parseCard(await readFile(join(dir, 'bob.card'), 'utf8')).routingTag);
    const alice = fingerprints['alice'] ?? '';
    const result = await herald(['inspect'], { input: envelope });
    expect(result.code).toBe(0);
    expect(result.text).toContain(`routing-tag: ${bobTag}`);
    expect(result.text).toContain(`size: ${envelope.length} bytes`);
    for (const secret of ['the secret plan', alice, alice.replace(/ /g, ''), 'alice']) expect(result.text + result.stderr).not.toContain(secret);
    const json = await herald(['inspect', '--json'], { input: envelope });
    const outline = JSON.parse(json.text) as { totalBytes: number; routingTags: string[]; version: number };
    expect(outline.version).toBe(1);
    expect(outline.totalBytes).toBe(envelope.length);
    expect(outline.routingTags).toHaveLength(2);
    expect(outline.routingTags).toContain(bobTag);
  });

  it('reads armored input and refuses garbage', async () => {
    const envelope = await sealFor(['bob.card'], 'x', ['--armor']);
    expect((await herald(['inspect'], { input: envelope })).text).toContain('recipients: 1');
    expectRefused(await herald(['inspect'], { input: 'nothing here' }), 'MALFORMED');
  });
});

describe.concurrent('usage', () => {
  it.each([
    [['bogus']],
    [[]],
    [['--bogus']],
    [['seal', '--to', 'bob.card']],
    [['seal', '--from', 'alice.key', '--to', 'bob.card', '--precedence', 'bogus']],
    [['seal', '--from', 'alice.key', '--to', 'bob.card', '--ttl', 'xyz']],
    [['seal', '--from', 'alice.key', '--to', 'bob.card', '--ttl', '0']],
    [['seal', '--from', 'alice.key', '--to', 'bob.card', '--wat']],
    [['open', '--key', 'bob.key', '--key', 'carol.key']],
    [['open', '--key', 'bob.key', '--sender', 'alice.card', '--contact', 'carol.card']],
    [['card']],
    [['card', 'bob.key', 'extra']],
    [['keygen', '--out']],
    [['keygen', '--out', 'x.key', '--label', 'a'.repeat(65)]],
  ])('%j exits 2 with a pointer to --help', async (args) => {
    const result = await herald(args, { input: 'message' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^usage error: /);
    expect(result.stderr).toContain('--help');
    expect(result.stderr).not.toContain(STACK_LINE);
    expect(result.stdout.length).toBe(0);
  });

  it('--help and -h work on every command, and the overview lists them all', async () => {
    const overview = await herald(['--help']);
    expect(overview.code).toBe(0);
    for (const command of COMMANDS) expect(overview.text).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect((await herald(['help'])).text).toBe(overview.text);
    const helps = await Promise.all(COMMANDS.map((command) => herald([command, '--help'])));
    helps.forEach((help, index) => {
      expect(help.code, COMMANDS[index]).toBe(0);
      expect(help.text).toContain(`usage: herald ${COMMANDS[index]} `);
    });
    // -h, `help NAME` and --help next to a mistake all reach the same text.
    const sealHelp = helps[COMMANDS.indexOf('seal')]?.text;
    for (const args of [['seal', '-h'], ['help', 'seal'], ['seal', '--bogus', '--help']]) {
      const help = await herald(args);
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.text).toBe(sealHelp);
    }
  });

  it('--version prints the package version and the libsodium build core runs on', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await herald(['--version']);
    expect(result.code).toBe(0);
    expect(result.text).toBe(`herald ${manifest.version}\nlibsodium: native (sodium-native)\n`);
    const forced = await herald(['--version'], { env: { HERALD_SODIUM: 'wasm' } });
    expect(forced.text).toBe(`herald ${manifest.version}\nlibsodium: WASM (libsodium.js)\n`);
  });

  it('herald relay --version prints the relay package version, without needing --data-dir', async () => {
    const manifest = JSON.parse(await readFile(new URL('../../relay/package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await herald(['relay', '--version']);
    expect(result.code).toBe(0);
    expect(result.text).toBe(`herald-relay ${manifest.version}\n`);
  });

  it('refuses an unknown HERALD_SODIUM with its one-line error, for every command', async () => {
    for (const args of [['--version'], ['keygen', '--out', 'never.key']]) {
      const result = await herald(args, { env: { HERALD_SODIUM: 'openssl' } });
      expectRefused(result, 'INVALID_OPTIONS');
      expect(result.stderr).toContain('HERALD_SODIUM: expected native or wasm, got "openssl"');
    }
  });
});
