import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, generateIdentity, writeSecretKeyFile } from '@herald/core';
import { herald as run, type Finished } from './process-kit.js';

/**
 * Every network down: a message goes out by hand as cipher groups (its ack
 * comes back as a short ack code over the same radio), a second one by USB
 * stick as a courier bundle (its ack comes back in the return bundle), and the
 * stick also feeds a relay that the recipient then collects from. All as real
 * `herald` processes on two data dirs.
 */
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const workdir = await mkdtemp(join(tmpdir(), 'herald-courier-'));
afterAll(() => rm(workdir, { recursive: true, force: true }));

function herald(args: string[], input?: Uint8Array | string): Promise<Finished> {
  return run(args, { cwd: workdir, ...(input !== undefined ? { input } : {}) });
}

const path = (name: string): string => join(workdir, name);
// A "network" that is down for good: a relay on a loopback port nothing listens on (port 1 needs root to listen).
const DOWN = 'ws://127.0.0.1:1/';

describe('offline channels between two nodes, every network down', () => {
  it('moves a message and its ack by groups and ack code, another by bundles both ways, and feeds a relay from a stick', async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    await writeSecretKeyFile(path('alice.key'), alice);
    await writeSecretKeyFile(path('bob.key'), bob);
    await writeFile(path('alice.card'), cardToFile(alice.card));
    await writeFile(path('bob.card'), cardToFile(bob.card));
    const A = path('alice-data');
    const B = path('bob-data');
    expect((await herald(['contacts', 'add', path('alice.card'), '--data-dir', B])).code).toBe(0);

    // 1. The router fails over from the dead network to the manual: channel, which writes groups for the operator.
    // --compact: sealed for hand keying (key-id sender, unpadded, radio text coded), so a 100-character message stays within 80 groups.
    const radio = 'CONVOY LEAVES THE NORTH GATE AT 0600Z. BRING WATER AND FUEL FOR 3 DAYS, RADIOS ON CHANNEL 4. CONFIRM';
    expect(radio).toHaveLength(100);
    const first = await herald(['send', '--key', path('alice.key'), '--to', path('bob.card'), '--via', DOWN, '--via', `manual:${path('radio')}`, '--data-dir', A, '--wait', '3s', '--compact', radio]);
    expect(first.code, first.stderr).toBe(3);
    const firstId = first.stdout.toString().trim();
    const files = await readdir(path('radio'));
    const groupsFile = files.find((name) => name.endsWith(`${firstId}.groups.txt`));
    expect(groupsFile, files.join(', ')).toBeDefined();
    expect(files.some((name) => name.endsWith('.png'))).toBe(true);
    const sheet = await readFile(join(path('radio'), groupsFile ?? ''), 'utf8');
    expect(sheet.match(/\b[A-Z]{5}\b/g)?.length).toBeLessThanOrEqual(80);
    const typed = sheet.toLowerCase();

    // 2. Bob's operator mistypes a letter on line 2 and drops line 3: told exactly which lines to ask for again.
    const lines = typed.trim().split('\n');
    const garbled = [lines[0], lines[1], lines[2]?.replace(/ (\S)/, (_, c: string) => ` ${c === 'q' ? 'r' : 'q'}`), ...lines.slice(4)].join('\n');
    const wrong = await herald(['groups', '--read', '--key', path('bob.key'), '--data-dir', B], garbled);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/error GROUPS_INCOMPLETE: NR \d+: missing line 3; line 2 does not match its check group/);

    // 3. With every line right, the message is taken into Bob's node and the ack code printed.
    const read = await herald(['groups', '--read', '--key', path('bob.key'), '--data-dir', B], `${garbled}\n${lines[2]}\n${lines[3]}`);
    expect(read.code, read.stderr).toBe(0);
    const ackCode = /ack code for the sender's operator: ([A-Z]{5} [A-Z]{5})/.exec(read.stderr)?.[1];
    expect(ackCode, read.stderr).toBeDefined();

    // 4. Read back over the radio, the code marks Alice's message delivered; a wrong code is refused.
    expect((await herald(['ack-code', '--key', path('alice.key'), '--data-dir', A, 'ABCDE', 'FGHIJ'])).stderr).toContain('error UNKNOWN_ACK_CODE');
    const confirmed = await herald(['ack-code', '--key', path('alice.key'), '--data-dir', A, ...(ackCode ?? '').toLowerCase().split(' ')]);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout.toString()).toContain(`${firstId}: acknowledged by Bob`);

    // 5. A second message waits for a courier: the bundle: channel holds it, the export packs it.
    const second = await herald(['send', '--key', path('alice.key'), '--to', 'Bob', '--via', DOWN, '--via', 'bundle:', '--data-dir', A, '--wait', '2s', 'Water and fuel for three days']);
    expect(second.code, second.stderr).toBe(3);
    const secondId = second.stdout.toString().trim();
    const outbound = await herald(['bundle', 'export', '--data-dir', A, '--to', 'Bob']);
    expect(outbound.code, outbound.stderr).toBe(0);
    expect(outbound.stderr).toContain('exported 1 envelope');
    await writeFile(path('a-to-b.bundle'), outbound.stdout);

    // 6. A damaged or cut copy is refused whole; the good one imports, and importing it again changes nothing.
    const damaged = Buffer.from(outbound.stdout);
    damaged[damaged.length - 40] = (damaged[damaged.length - 40] ?? 0) ^ 0x10;
    expect((await herald(['bundle', 'import', '--key', path('bob.key'), '--data-dir', B], damaged)).stderr).toContain('error BAD_BUNDLE');
    expect((await herald(['bundle', 'import', '--key', path('bob.key'), '--data-dir', B], outbound.stdout.subarray(0, 100))).stderr).toContain('error TRUNCATED_BUNDLE');
    const imported = await herald(['bundle', 'import', '--key', path('bob.key'), '--data-dir', B, path('a-to-b.bundle')]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('1 new message');
    expect(imported.stderr).toContain('1 ack sent');
    const again = await herald(['bundle', 'import', '--key', path('bob.key'), '--data-dir', B, '--progress', path('a-to-b.bundle')]);
    expect(again.stderr).toContain('0 new messages');
    expect(again.stderr).toContain('1 already taken in; 0 acks sent');
    expect(again.stderr).toMatch(/checking bytes: \d+\/\d+ \(100%\)/);

    // 7. Bob's node hands out both messages once (one came by radio, one by stick).
    const listener = spawn(process.execPath, [bin, 'listen', '--json', '--key', path('bob.key'), '--via', DOWN, '--data-dir', B], { stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    listener.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (printed.split('\n').filter(Boolean).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    listener.kill('SIGTERM');
    await new Promise((resolve) => listener.on('exit', resolve));
    const received = printed.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; text: string });
    expect(received.map((message) => message.id).sort()).toEqual([firstId, secondId].sort());
    expect(received.find((message) => message.id === firstId)?.text).toBe(radio);

    // 8. The return stick carries Bob's acks: Alice's second message becomes delivered.
    const inbound = await herald(['bundle', 'export', '--data-dir', B, '--to', path('alice.card')]);
    expect(inbound.code, inbound.stderr).toBe(0);
    const back = await herald(['bundle', 'import', '--key', path('alice.key'), '--data-dir', A], inbound.stdout);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain('delivered by ack');
    const outbox = (await herald(['outbox', '--data-dir', A, '--all'])).stdout.toString();
    expect(outbox).toContain(`${firstId}  DELIVERED`);
    expect(outbox).toContain(`${secondId}  DELIVERED`);

    // 9. The same stick at a site with a relay: imported into the relay's store (twice: stored once) and exported again.
    const R = path('relay-data');
    const intoRelay = await herald(['bundle', 'import', '--relay-dir', R, path('a-to-b.bundle')]);
    expect(intoRelay.stderr, intoRelay.stderr).toContain('1 stored');
    expect((await herald(['bundle', 'import', '--relay-dir', R, path('a-to-b.bundle')])).stderr).toContain('0 stored, 1 already there');
    const fromRelay = await herald(['bundle', 'export', '--relay-dir', R, '--to', path('bob.card')]);
    expect(fromRelay.code, fromRelay.stderr).toBe(0);
    expect(fromRelay.stderr).toContain('exported 1 envelope');
  }, 180_000);
});
