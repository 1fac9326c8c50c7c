import { randomFillSync } from 'node:crypto';
import { loadavg } from 'node:os';
import { generateIdentity, open, sealV2, xwingKem, x25519Kem, type Kem, type SignedPrekey } from '@herald/core';
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
const now = Date.now();

function prekeyFor(kem: Kem): { signed: SignedPrekey; secretKey: Uint8Array } {
  const pair = kem.generateKeyPair();
  const seconds = Math.floor(now / 1000);
  const unsigned = { id: randomFillSync(new Uint8Array(8)), kind: kem.kind, oneTime: false, publicKey: pair.publicKey, created: seconds - 60, sealUntil: seconds + 86_400, openUntil: seconds + 7 * 86_400 };
  return { signed: { ...unsigned, signature: new Uint8Array(64) }, secretKey: pair.secretKey };
}

export async function benchV2(rounds: number, milliseconds: number): Promise<void> {
  console.log('');
  console.log(`envelope v2, seal+open, one recipient, unpadded, 1 KiB (load average ${loadavg().map((load) => load.toFixed(2)).join(' ')})`);
  console.log('prekeys     herald ops/s   bare ops/s   ratio');
  const message = randomFillSync(new Uint8Array(1024));
  const sizes: string[] = [];
  for (const kem of [xwingKem, x25519Kem]) {
    const prekey = prekeyFor(kem);
    const secret = { kind: kem.kind, oneTime: false, secretKey: prekey.secretKey };
    const prekeys = { get: () => secret };
    const bare = barePrekey(kem.kind);
    const herald = async (): Promise<void> => {
      const opened = await open(sealV2(message, { from: alice, to: { card: bob.card, prekey: prekey.signed }, pad: false }), { identity: bob, prekeys });
      if (opened.plaintext.length !== message.length) throw new Error('round trip lost bytes');
    };
    const result = await compare(herald, () => bareV2RoundTrip(message, alice, bob, bare), rounds, milliseconds);
    const label = kem.kind === 'xwing' ? 'hybrid' : 'classical';
    console.log(`${label.padEnd(10)}  ${formatRate(result.subject)}      ${formatRate(result.baseline)}    ${result.ratio.toFixed(2)}   (goal ≥ 0.80)`);
    const empty = (sender: 'key' | 'keyId'): number => sealV2(new Uint8Array(0), { from: alice, to: { card: bob.card, prekey: prekey.signed }, pad: false, sender }).length;
    sizes.push(`  one recipient, ${label}, sender key inside: ${empty('key')} bytes (aim ≤ ${kem.kind === 'xwing' ? '1,300' : '220'}); compact sender id: ${empty('keyId')} bytes`);
  }
  console.log('');
  console.log('v2 wire overhead (empty message, unpadded)');
  for (const line of sizes) console.log(line);
}
