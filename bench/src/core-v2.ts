import { randomFillSync } from 'node:crypto';
import { loadavg } from 'node:os';
import { generateIdentity, generatePrekeys, open, sealV2, type PrekeyKind } from '@herald/core';
import { compare, formatRate } from './measure.js';
import { bareV2RoundTrip, barePrekey } from './v2-work.js';

/**
 * bench:core's version-2 rows: seal+open per second to one recipient, hybrid
 * (X-Wing) and classical (x25519) prekeys, beside the bare primitives doing
 * the same work in the same run (v2-work.ts); goal ratio ≥ 0.8. Then the v2
 * wire overhead (aim: hybrid ≤ 1,300 B, classical ≤ 220 B).
 */
const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });

export async function benchV2(rounds: number, milliseconds: number): Promise<void> {
  console.log('');
  console.log(`envelope v2, seal+open, one recipient, unpadded, 1 KiB (load average ${loadavg().map((load) => load.toFixed(2)).join(' ')})`);
  console.log('prekeys     herald ops/s   bare ops/s   ratio');
  const message = randomFillSync(new Uint8Array(1024));
  const sizes: string[] = [];
  for (const kind of ['xwing', 'x25519'] as const satisfies readonly PrekeyKind[]) {
    const [prekey] = generatePrekeys(bob, { kind });
    if (!prekey) throw new Error('no prekey');
    // A fresh copy per open, as a PrekeySecretStore hands out (open wipes it).
    const prekeys = { get: () => ({ prekey: prekey.prekey, secretKey: prekey.secretKey.slice() }) };
    const bare = barePrekey(kind, bob);
    const herald = async (): Promise<void> => {
      const opened = await open(sealV2(message, { from: alice, to: { card: bob.card, prekey: prekey.prekey }, pad: false }), { identity: bob, prekeys });
      if (opened.plaintext.length !== message.length) throw new Error('round trip lost bytes');
    };
    const result = await compare(herald, () => bareV2RoundTrip(message, alice, bob, bare), rounds, milliseconds);
    const label = kind === 'xwing' ? 'hybrid' : 'classical';
    console.log(`${label.padEnd(10)}  ${formatRate(result.subject)}      ${formatRate(result.baseline)}    ${result.ratio.toFixed(2)}   (goal ≥ 0.80)`);
    const empty = (sender: 'key' | 'keyId'): number => sealV2(new Uint8Array(0), { from: alice, to: { card: bob.card, prekey: prekey.prekey }, pad: false, sender }).length;
    sizes.push(`  one recipient, ${label}, sender key inside: ${empty('key')} bytes (aim ≤ ${kind === 'xwing' ? '1,300' : '220'}); compact sender id: ${empty('keyId')} bytes`);
  }
  console.log('');
  console.log('v2 wire overhead (empty message, unpadded)');
  for (const line of sizes) console.log(line);
}
