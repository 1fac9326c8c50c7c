import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { armorEnvelope, cardToFile, generateIdentity, seal } from '@herald/core';
import { qrTexts } from '@herald/courier';

/** The offline commands' contract: --help, usage errors (exit 2), typed errors (exit 1), stdout formats. */
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'herald-courier-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

function herald(args: string[], input: Uint8Array | string = ''): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

describe('herald groups, qr, bundle and ack-code', () => {
  it('have help, refuse bad invocations with exit 2 and bad input with typed errors', async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    await writeFile(join(dir, 'bob.card'), cardToFile(bob.card));
    const envelope = seal('Rally at the bridge', { from: alice, to: bob.card, pad: false, sender: 'keyId' });
    const texts = qrTexts(seal(new Uint8Array(1200), { from: alice, to: bob.card }), { maxChars: 500 });
    const [help, ...rest] = await Promise.all([
      Promise.all(['groups', 'qr', 'bundle', 'ack-code'].map((command) => herald([command, '--help']))),
      herald(['groups', '--read', '--line', '5']),
      herald(['bundle', 'export']),
      herald(['bundle', 'import', '--data-dir', 'x']),
      herald(['ack-code', '--key', 'none.key', '--data-dir', 'd', 'ABC']),
      herald(['groups', '--line', '30'], envelope),
      herald(['groups', '--alphabet', 'base32', '--line', '20', '--number', '7'], armorEnvelope(envelope)),
      herald(['groups', '--read', '--for', join(dir, 'bob.card')], 'NR 7 GR 3 CK ABCDE\n01 ABCDE ABCDE\n'),
      herald(['qr', '--text', '--max-chars', '500'], envelope),
      herald(['qr', '--read'], texts.slice(1).join('\n')),
      herald(['qr', '--read'], [...texts].reverse().join('\n')),
      herald(['bundle', 'import', '--relay-dir', join(dir, 'relay')], 'not a bundle'),
      herald(['qr', '--format', 'svg', '--out', join(dir, 'codes'), '--max-chars', '200'], envelope),
      herald(['qr', '--max-chars', '200'], envelope),
    ]);
    for (const result of help) {
      expect(result.code).toBe(0);
      expect(result.stdout.toString()).toMatch(/^usage: herald /);
    }
    const [lineWithRead, exportWithoutDir, importWithoutKey, shortCode, lineTooLong, base32, incomplete, qrText, qrMissing, qrWhole, notBundle, svgFiles, terminal] = rest as [typeof help[0], ...(typeof help)];
    expect([lineWithRead?.code, exportWithoutDir?.code, importWithoutKey?.code, lineTooLong?.code]).toEqual([2, 2, 2, 2]);
    expect(lineWithRead?.stderr).toContain('--line is for writing groups');
    expect(exportWithoutDir?.stderr).toContain('give exactly one of --data-dir');
    expect(importWithoutKey?.stderr).toContain('needs --key');
    expect(shortCode?.stderr).toContain('error BAD_ACK_CODE');
    expect(base32?.code).toBe(0);
    expect(base32?.stdout.toString()).toMatch(/^NR 7 B32 GR \d+ LN 20 CK [0-9A-Z]{5}\n01( [0-9A-Z]{5}){20}  [0-9A-Z]{5}\n/);
    expect(base32?.stderr).toMatch(/^NR 7: \d+ data groups in \d+ lines?, \d+ groups with the checks \(compact form\)/);
    expect(incomplete?.code).toBe(1);
    expect(incomplete?.stderr).toMatch(/^error GROUPS_INCOMPLETE: NR 7: line 1 has 2 groups; it should/);
    expect(qrText?.stdout.toString()).toMatch(/^HQ1:1\/1:[0-9A-Z]{8}:[0-9A-Z]+\n$/);
    expect(qrMissing?.stderr).toContain(`error BAD_QR: missing part 1 of ${texts.length}`);
    expect(qrWhole?.code).toBe(0);
    expect(notBundle?.stderr).toContain('error BAD_BUNDLE: not a Herald bundle');
    // Several codes are numbered: in the file names, and above each code in the terminal.
    const parts = qrTexts(envelope, { maxChars: 200 }).length;
    expect(parts).toBeGreaterThan(1);
    expect(svgFiles?.code, svgFiles?.stderr).toBe(0);
    expect(svgFiles?.stderr.trim().split('\n')).toEqual(Array.from({ length: parts }, (_, index) => join(dir, `codes-${index + 1}-of-${parts}.svg`)));
    for (let part = 1; part <= parts; part++) expect(await readFile(join(dir, `codes-${part}-of-${parts}.svg`), 'utf8')).toContain('<svg');
    expect(terminal?.stdout.toString().match(/^Herald QR \d+ of \d+$/gm)).toEqual(Array.from({ length: parts }, (_, index) => `Herald QR ${index + 1} of ${parts}`));
  }, 180_000);
});
