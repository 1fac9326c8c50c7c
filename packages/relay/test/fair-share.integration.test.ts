import { randomFillSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity, seal, toHex } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { startNode, until } from './helpers/nodes.js';
import { rawClient, type RawClient } from './helpers/raw-client.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/**
 * Nobody can fill the relay and lock everyone else out (threat model 10.4): with the default configuration, 20 fresh
 * keys flooding junk to random mailboxes through one address for 60 s are refused with documented codes, while an
 * honest pair on other addresses exchanges 200 messages without one refusal.
 */
const FLOOD_MS = 60_000;
const ATTACKER_KEYS = 20;
const CONNECTIONS_PER_KEY = 2;
/** Deposits each attacking connection keeps unanswered: a steady flood the shared test machine can carry. */
const WINDOW = 8;
const JUNK_BYTES = 256 * 1024;
const DOCUMENTED = new Set(['RATE_LIMITED', 'DEPOSITOR_QUOTA', 'RELAY_NEARLY_FULL', 'RELAY_FULL', 'MAILBOX_FULL']);

let relay: RelayProcess;
const clients: RawClient[] = [];
afterAll(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await relay?.kill('SIGTERM');
  await removeTempDirs();
});

/** A valid envelope of about `size` bytes whose routing tag is overwritten with fresh random bytes for each deposit: junk to made-up mailboxes. */
function junkOf(size: number): () => Uint8Array {
  const to = generateIdentity();
  const template = seal(randomFillSync(new Uint8Array(size)), { from: generateIdentity(), to: to.card, contentType: 'application/octet-stream' });
  const tag = Buffer.from(to.card.routingTag);
  const at = Buffer.from(template).indexOf(tag);
  if (at < 0 || Buffer.from(template).indexOf(tag, at + 1) >= 0) throw new Error('the routing tag is not found exactly once in the template');
  return () => {
    const junk = template.slice();
    randomFillSync(junk.subarray(at, at + tag.length));
    return junk;
  };
}

/** Large junk to fill fast, and small junk (the size of an honest message) to fill the last gaps too. */
function junkMaker(): () => Uint8Array {
  const large = junkOf(JUNK_BYTES);
  const small = junkOf(200);
  let count = 0;
  return () => (++count % 2 === 0 ? small() : large());
}

/** One attacking connection: deposits junk, WINDOW at a time, until the deadline; counts answers by code name. */
async function flood(client: RawClient, deadline: number, tally: Map<string, number>): Promise<void> {
  const junk = junkMaker();
  let nextId = 1;
  let outstanding = 0;
  const answered = new Set<number>();
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (outstanding < WINDOW && Date.now() < deadline && client.socket.readyState === client.socket.OPEN) {
        outstanding++;
        client.send(protocol.encodeDeposit(nextId++, junk()));
      }
      if (outstanding === 0) resolve();
    };
    client.socket.on('message', (data) => {
      const frame = protocol.decodeRelayFrame(new Uint8Array(data as Buffer));
      const ids = frame.type === 'accepted' ? frame.requestIds : frame.type === 'error' ? [frame.requestId] : [];
      for (const id of ids) {
        if (answered.has(id)) continue;
        answered.add(id);
        outstanding--;
        const name = frame.type === 'accepted' ? 'ACCEPTED' : (protocol.errorName((frame as { code: number }).code) ?? `code ${(frame as { code: number }).code}`);
        tally.set(name, (tally.get(name) ?? 0) + 1);
      }
      // Refused: a short pause, so the flood stays steady rather than a busy loop on the shared machine.
      if (frame.type === 'error') setTimeout(pump, 5);
      else pump();
    });
    void client.closed.then(() => resolve());
    pump();
  });
  // The relay must still be speaking to it: the attacker is refused, not disconnected.
  const ended = await Promise.race([client.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 10))]);
  expect(ended, `attacker connection closed: ${JSON.stringify(ended)}`).toBe('open');
}

describe('near full (real relay process)', () => {
  it('refuses the heaviest depositors first above the high-water mark, and still takes one holding nothing', async () => {
    const small = await spawnRelay({ config: { maxStoredBytes: 1_048_576, depositorMaxBytes: 600_000, highWaterPercent: 80 } });
    try {
      const bob = generateIdentity();
      const envelope = (): Uint8Array => seal(randomFillSync(new Uint8Array(12_000)), { from: generateIdentity(), to: bob.card, contentType: 'application/octet-stream' });
      const depositor = async (address: string): Promise<RawClient> => {
        const client = await rawClient(small.url, { localAddress: address });
        clients.push(client);
        await client.authenticate(generateIdentity(), false);
        return client;
      };
      let requestId = 0;
      /** Deposits until the first refusal (bounded); that refusal's name. */
      const untilRefused = async (client: RawClient): Promise<string> => {
        for (let index = 0; index < 200; index++) {
          const answer = await client.deposit(++requestId, envelope());
          if (answer !== 'ACCEPTED') return answer;
        }
        return 'never refused';
      };
      const first = await depositor('127.0.0.2');
      // Below the mark everything under the identity's quota (600 000 bytes) is taken: 30 envelopes of about 16 KiB.
      for (let index = 0; index < 30; index++) expect(await first.deposit(++requestId, envelope())).toBe('ACCEPTED');
      expect(await small.metric('herald_relay_mailbox_bytes')).toBeLessThan(0.8 * 1_048_576);
      const second = await depositor('127.0.0.3');
      // Past the mark its share shrinks as it fills: refused before the store is full.
      expect(await untilRefused(second)).toBe('RELAY_NEARLY_FULL');
      const stored = (await small.metric('herald_relay_mailbox_bytes'))!;
      expect(stored).toBeGreaterThan(0.8 * 1_048_576);
      expect(stored + 2 * envelope().length).toBeLessThan(1_048_576);
      // The heaviest, still under its own quota, is refused too now, while a depositor holding nothing still gets in.
      expect(await first.deposit(++requestId, envelope())).toBe('RELAY_NEARLY_FULL');
      expect(await (await depositor('127.0.0.4')).deposit(++requestId, envelope())).toBe('ACCEPTED');
    } finally {
      await small.kill('SIGTERM');
    }
  });
});

describe('fair share under a flood (real relay process, default configuration)', () => {
  it('refuses 20 fresh keys flooding random mailboxes from one address with clear codes; an honest pair from other addresses loses nothing and sees no refusal', async () => {
    relay = await spawnRelay();
    const attackers = Array.from({ length: ATTACKER_KEYS }, () => generateIdentity());
    const attacking: RawClient[] = [];
    for (const attacker of attackers) {
      for (let index = 0; index < CONNECTIONS_PER_KEY; index++) {
        const client = await rawClient(relay.url, { localAddress: '127.0.0.2' });
        clients.push(client);
        attacking.push(client);
        await client.authenticate(attacker, false);
      }
    }
    const alice = generateIdentity();
    const bob = generateIdentity();
    const honestErrors: unknown[] = [];
    const a = await startNode(alice, [bob], [relay.url], { localAddress: '127.0.0.3', onSendError: (error) => honestErrors.push(error) });
    const b = await startNode(bob, [alice], [relay.url], { localAddress: '127.0.0.4' });
    const tally = new Map<string, number>();
    const deadline = Date.now() + FLOOD_MS;
    const flooding = Promise.all(attacking.map((client) => flood(client, deadline, tally)));
    const texts = Array.from({ length: 200 }, (_, index) => `honest ${index} ${toHex(randomFillSync(new Uint8Array(4)))}`);
    try {
      // Spread over the flood: one every 250 ms, the last ones still during it.
      for (const text of texts) {
        await a.node.send(bob.card, text);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await flooding;
      await until('Bob to receive all 200', () => b.received.length >= texts.length, 60_000);
      // Nothing more arrives late: every message exactly once.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(b.received.length).toBe(texts.length);
      expect(new Set(b.received)).toEqual(new Set(texts));
      const refusals = honestErrors.map((error) => (error as Error).message).filter((message) => /relay refused/.test(message));
      expect(refusals).toEqual([]);
    } finally {
      await a.stop();
      await b.stop();
    }
    const refused = [...tally].filter(([name]) => name !== 'ACCEPTED');
    console.log(`attacker answers over ${FLOOD_MS / 1000} s: ${[...tally].map(([name, count]) => `${name} ${count}`).join(', ')}; honest send errors (retried): ${honestErrors.length} (${[...new Set(honestErrors.map((error) => `${(error as { code?: string }).code}: ${(error as Error).message.replace(/\d+/g, 'N')}`))].join('; ')})`);
    expect(refused.map(([name]) => name).filter((name) => !DOCUMENTED.has(name))).toEqual([]);
    expect(tally.get('DEPOSITOR_QUOTA') ?? 0).toBeGreaterThan(0);
    // What the attacker holds is bounded by its address's quota (addressMaxBytes, 256 MiB by default).
    expect(await relay.metric('herald_relay_mailbox_bytes')).toBeLessThanOrEqual(256 * 2 ** 20 + 2 ** 20);
  }, 200_000);
});
