/**
 * pnpm bench:core — seal+open per second for 256 B, 1 KiB and 64 KiB to one
 * recipient, beside bare libsodium doing the same primitive work in the same
 * run (X25519 key generation and agreement, BLAKE2b key derivation,
 * XChaCha20-Poly1305 both ways, Ed25519 sign and verify), and the wire overhead.
 * Goal: ratio ≥ 0.8 at 1 KiB.
 */
import { randomFillSync } from 'node:crypto';
import { generateIdentity, open, seal } from '@herald/core';
import { compare, formatRate, quickMode } from './measure.js';
import { benchV2 } from './core-v2.js';
import { backendLine, bareSodiumRoundTrip } from './sodium-work.js';

const quick = quickMode();
const rounds = quick ? 1 : 5;
const milliseconds = quick ? 100 : 600;

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });

async function heraldRoundTrip(message: Uint8Array): Promise<void> {
  const opened = await open(seal(message, { from: alice, to: bob.card, pad: false }), { identity: bob });
  if (opened.plaintext.length !== message.length) throw new Error('round trip lost bytes');
}

console.log('Herald core benchmark: seal+open, one recipient, unpadded (padding is measured separately below)');
console.log(`mode: ${quick ? 'quick (smoke run, figures are rough)' : `${rounds} interleaved rounds of ${milliseconds} ms, medians`}`);
console.log(backendLine);
console.log('');
console.log('size      herald ops/s   libsodium ops/s   ratio');
for (const size of [256, 1024, 64 * 1024]) {
  const message = randomFillSync(new Uint8Array(size));
  const result = await compare(() => heraldRoundTrip(message), () => bareSodiumRoundTrip(message, alice, bob), rounds, milliseconds);
  const label = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
  console.log(`${label.padEnd(8)}  ${formatRate(result.subject)}      ${formatRate(result.baseline)}       ${result.ratio.toFixed(2)}${size === 1024 ? '   (goal ≥ 0.80)' : ''}`);
}

const carol = generateIdentity({ label: 'Carol' });
const dave = generateIdentity({ label: 'Dave' });
const empty = new Uint8Array(0);
const one = seal(empty, { from: alice, to: bob.card, pad: false }).length;
const compact = seal(empty, { from: alice, to: bob.card, pad: false, sender: 'keyId' }).length;
const two = seal(empty, { from: alice, to: [bob.card, carol.card], pad: false }).length;
const three = seal(empty, { from: alice, to: [bob.card, carol.card, dave.card], pad: false }).length;
console.log('');
console.log('wire overhead (empty message, unpadded)');
console.log(`  one recipient, sender key inside:   ${one} bytes   (aim ≤ 160; LXMF 112 without Reticulum's encryption; age ≈ 200 without a signature)`);
console.log(`  one recipient, compact sender id:   ${compact} bytes`);
console.log(`  second recipient adds:              ${two - one} bytes`);
console.log(`  each further recipient adds:        ${three - two} bytes`);

const kib = randomFillSync(new Uint8Array(1024));
const padded = await compare(
  () => heraldPadded(),
  () => heraldRoundTrip(kib),
  rounds,
  milliseconds,
);
function heraldPadded(): Promise<unknown> {
  return open(seal(kib, { from: alice, to: bob.card }), { identity: bob });
}
console.log('');
console.log(`padding cost at 1 KiB: padded ${formatRate(padded.subject).trim()} ops/s vs unpadded ${formatRate(padded.baseline).trim()} ops/s, ratio ${padded.ratio.toFixed(2)}`);

await benchV2(rounds, milliseconds);
