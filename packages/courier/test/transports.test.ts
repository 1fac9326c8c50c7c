import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNode, envelopeId, generateIdentity, memoryStore, seal, toHex, TransportError } from '@herald/core';
import { courierTransport, manualTransport, readGroups, readQrTexts, readSpool } from '../src/index.js';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const workdir = await mkdtemp(join(tmpdir(), 'herald-courier-transports-'));
afterAll(() => rm(workdir, { recursive: true, force: true }));
const start = { routingTags: [toHex(alice.card.routingTag)], deliver: async () => undefined };

describe('manual: channel', () => {
  it('writes groups and QR codes for the operator (mode 0600, folder 0700), resolves as handed over, and refuses when stopped or too large', async () => {
    const folder = join(workdir, 'radio');
    const channel = manualTransport({ path: folder });
    expect(channel.health().state).toBe('down');
    await channel.start(start);
    expect(channel.health().state).toBe('up');
    const envelope = seal('Hold position', { from: alice, to: bob.card });
    const id = envelopeId(envelope);
    const receipt = await channel.send(envelope, { messageId: id, routingTags: [toHex(bob.card.routingTag)], expiresAt: Date.now() + 60_000 });
    expect(receipt.channel).toBe(`manual:${folder}`);
    const files = (await readdir(folder)).sort();
    expect(files).toEqual([expect.stringMatching(new RegExp(`^\\d{4}-${id}\\.groups\\.txt$`)), expect.stringMatching(new RegExp(`^\\d{4}-${id}\\.qr-1-of-1\\.png$`))]);
    // Readable by whoever can read the folder, and by no other local user (threat model 13.4).
    for (const file of files) expect({ file, mode: (await stat(join(folder, file))).mode & 0o777 }).toEqual({ file, mode: 0o600 });
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    const text = await readFile(join(folder, files[0] ?? ''), 'utf8');
    expect(Buffer.from(readGroups(text, { routingTag: bob.card.routingTag }).envelope).equals(Buffer.from(envelope))).toBe(true);
    await expect(channel.send(new Uint8Array(5000), { messageId: id, routingTags: [], expiresAt: 0 })).rejects.toMatchObject({ code: 'CHANNEL_TOO_SMALL', retryable: false });
    await channel.stop();
    await expect(channel.send(envelope, { messageId: id, routingTags: [], expiresAt: 0 })).rejects.toBeInstanceOf(TransportError);
    expect(channel.health()).toMatchObject({ state: 'down', reason: 'stopped' });
  });

  it('prints to the terminal when there is no folder', async () => {
    const printed: string[] = [];
    const channel = manualTransport({ output: (text) => void printed.push(text), alphabet: 'base32' });
    await channel.start(start);
    const envelope = seal('x', { from: alice, to: bob.card, pad: false, sender: 'keyId' });
    await channel.send(envelope, { messageId: envelopeId(envelope), routingTags: [toHex(bob.card.routingTag)], expiresAt: Date.now() + 60_000 });
    expect(printed.join('')).toMatch(/# manual channel: transmit message \d+ .*\nNR \d+ B32 GR \d+ CK /);
    expect(readGroups(printed.join(''), { routingTag: bob.card.routingTag }).envelope).toHaveLength(envelope.length);
    await channel.stop();
    expect(() => manualTransport({ path: 'relative/path' })).toThrow(/absolute/);
  });

  it('a node whose networks are down hands a message to the operator: accepted, then delivered by the ack from a bundle', async () => {
    const printed: string[] = [];
    const aliceCourier = courierTransport({ path: join(workdir, 'alice-spool') });
    const aliceNode = createNode({ identity: alice, contacts: [bob.card], store: memoryStore(), channels: [manualTransport({ output: (text) => void printed.push(text) }), aliceCourier] });
    await aliceNode.start();
    const handle = await aliceNode.send(bob.card, 'By hand');
    await new Promise<void>((resolve) => handle.onStatus((change) => change.status === 'accepted' && resolve()));
    expect((await aliceNode.outbox())[0]?.acceptedBy).toEqual(['manual:']);
    // Bob's side: the typed groups go into his node through the courier channel; the ack lands in his spool.
    const spool = join(workdir, 'bob-spool');
    const courier = courierTransport({ path: spool });
    const bobNode = createNode({ identity: bob, contacts: [alice.card], store: memoryStore(), channels: [courier] });
    await bobNode.start();
    const envelope = readGroups(printed.join(''), { routingTag: bob.card.routingTag }).envelope;
    expect(await courier.take([envelope])).toEqual({ delivered: 1, failed: 0 });
    await courier.settled();
    const messages = bobNode.messages();
    expect((await messages.next()).value?.text).toBe('By hand');
    const acks = await readSpool(spool, { tags: new Set([toHex(alice.card.routingTag)]) });
    expect(acks).toHaveLength(1);
    expect(await readSpool(spool, { tags: new Set(['00'.repeat(16)]) })).toHaveLength(0);
    // The ack travels back (in a bundle; here handed over directly) and Alice's message is delivered.
    await aliceCourier.take(acks.map((entry) => entry.bytes));
    expect(await handle.settled({ signal: AbortSignal.timeout(5000) })).toBe('delivered');
    await bobNode.stop();
    await aliceNode.stop();
  });
});

describe('manual: channel with compact sends', () => {
  it('a compact radio message reaches the operator in at most 80 groups and opens in the recipient node', async () => {
    const radio = 'SITREP 0415Z: ROAD BLOCKED AT KM 42, BRIDGE OUT. 2 TRUCKS TURNED BACK. REQUEST ENGINEERS (PRIORITY).';
    const printed: string[] = [];
    const aliceNode = createNode({ identity: alice, contacts: [bob.card], store: memoryStore(), channels: [manualTransport({ output: (text) => void printed.push(text) })] });
    await aliceNode.start();
    const handle = await aliceNode.send(bob.card, radio, { compact: true });
    await new Promise<void>((resolve) => handle.onStatus((change) => change.status === 'accepted' && resolve()));
    const text = printed.join('');
    const total = Number(/, (\d+) groups\n/.exec(text)?.[1]);
    expect(total).toBeLessThanOrEqual(80);
    expect(text.replace(/^#.*$/gm, '').match(/\b[A-Z]{5}\b/g)).toHaveLength(total);
    const courier = courierTransport({ path: join(workdir, 'bob-compact-spool') });
    const bobNode = createNode({ identity: bob, contacts: [alice.card], store: memoryStore(), channels: [courier] });
    await bobNode.start();
    expect(await courier.take([readGroups(text, { routingTag: bob.card.routingTag }).envelope])).toEqual({ delivered: 1, failed: 0 });
    expect((await bobNode.messages().next()).value?.text).toBe(radio);
    await expect(aliceNode.send(bob.card, 'x', { compact: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await bobNode.stop();
    await aliceNode.stop();
  });
});

describe('QR texts from the manual: folder', () => {
  it('the PNG file names count the parts', async () => {
    const channel = manualTransport({ path: join(workdir, 'qr') });
    await channel.start(start);
    const envelope = seal(new Uint8Array(1500), { from: alice, to: bob.card });
    await channel.send(envelope, { messageId: envelopeId(envelope), routingTags: [toHex(bob.card.routingTag)], expiresAt: Date.now() + 60_000 });
    const pngs = (await readdir(join(workdir, 'qr'))).filter((name) => name.endsWith('.png'));
    expect(pngs.length).toBeGreaterThan(1);
    expect(pngs.every((name) => name.includes(`-of-${pngs.length}.png`))).toBe(true);
    await channel.stop();
    expect(() => readQrTexts('')).toThrow(/no Herald QR code/);
  });
});
