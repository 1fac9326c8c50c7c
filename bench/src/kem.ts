/**
 * pnpm bench:kem — prekey KEMs per second on one core: X-Wing (ML-KEM-768 in
 * liboqs, X25519 in libsodium) and the classical x25519 KEM, beside noble's
 * ready-made pure-JS X-Wing (ml_kem768_x25519) measured in the same run.
 * Goal: X-Wing encapsulate+decapsulate ≥ 1,000 per second (issue 16).
 */
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { type Kem, x25519Kem, xwingKem } from '@herald/core';
import { formatRate, quickMode, rate } from './measure.js';

const milliseconds = quickMode() ? 100 : 1000;

interface Row {
  readonly name: string;
  readonly encapsulate: () => unknown;
  readonly decapsulate: () => unknown;
  readonly roundTrip: () => unknown;
}

function kemRow(kem: Kem): Row {
  const pair = kem.generateKeyPair();
  const { ciphertext } = kem.encapsulate(pair.publicKey);
  return {
    name: kem.kind,
    encapsulate: () => kem.encapsulate(pair.publicKey),
    decapsulate: () => kem.decapsulate(pair.secretKey, ciphertext),
    roundTrip: () => kem.decapsulate(pair.secretKey, kem.encapsulate(pair.publicKey).ciphertext),
  };
}

function nobleRow(): Row {
  const pair = ml_kem768_x25519.keygen();
  const { cipherText } = ml_kem768_x25519.encapsulate(pair.publicKey);
  return {
    name: 'noble X-Wing',
    encapsulate: () => ml_kem768_x25519.encapsulate(pair.publicKey),
    decapsulate: () => ml_kem768_x25519.decapsulate(cipherText, pair.secretKey),
    roundTrip: () => ml_kem768_x25519.decapsulate(ml_kem768_x25519.encapsulate(pair.publicKey).cipherText, pair.secretKey),
  };
}

console.log(`prekey KEMs, operations per second on one core (${quickMode() ? 'quick smoke run, figures are rough' : `${milliseconds} ms each`})`);
console.log('kem            encaps/s   decaps/s   encaps+decaps/s   keygen/s');
for (const [row, kem] of [[kemRow(xwingKem), xwingKem], [kemRow(x25519Kem), x25519Kem], [nobleRow(), undefined]] as const) {
  const encapsulate = await rate(row.encapsulate, milliseconds);
  const decapsulate = await rate(row.decapsulate, milliseconds);
  const roundTrip = await rate(row.roundTrip, milliseconds);
  const keygen = await rate(() => (kem ? kem.generateKeyPair() : ml_kem768_x25519.keygen()), milliseconds);
  const goal = row.name === 'xwing' ? '   (goal ≥ 1,000 encaps+decaps/s)' : '';
  console.log(`${row.name.padEnd(12)}  ${formatRate(encapsulate)}  ${formatRate(decapsulate)}  ${formatRate(roundTrip)}        ${formatRate(keygen)}${goal}`);
}
