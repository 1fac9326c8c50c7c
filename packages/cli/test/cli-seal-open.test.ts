/** seal, open and inspect through the built CLI (see cli-run.ts). */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCard, toHex } from '@herald/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dir, expectRefused, fingerprints, herald, makeFourKeys, metadata, removeScratchFolder, sealFor } from './cli-run.js';

beforeAll(makeFourKeys);
afterAll(removeScratchFolder);

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
