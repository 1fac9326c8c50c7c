/** Usage errors, help and versions of the built CLI (see cli-run.ts). */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, herald, makeFourKeys, removeScratchFolder, STACK_LINE } from './cli-run.js';

const COMMANDS = ['keygen', 'card', 'fingerprint', 'seal', 'open', 'inspect'];

beforeAll(makeFourKeys);
afterAll(removeScratchFolder);

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
