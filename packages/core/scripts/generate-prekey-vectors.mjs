// Regenerates test/vectors/prekeys.json (docs/protocol.md section 16) from fixed seeds. Run after a deliberate
// change to the prekey format only:
//   npx tsc -b && node packages/core/scripts/generate-prekey-vectors.mjs
// The vectors are checked by test/prekey/vectors.test.ts.
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as herald from '../dist/index.js';

const seed = (name, length = 32) => createHash('sha512').update(`herald test vector: ${name}`).digest().subarray(0, length).toString('hex');
const hex = herald.toHex;

const owner = { label: 'Alice', signingSeed: seed('Alice signing seed'), agreementSecretKey: seed('Alice agreement secret'), created: 1_800_000_000 };
const alice = herald.identityFromSecrets(herald.fromHex(owner.signingSeed), herald.fromHex(owner.agreementSecretKey), owner.label, owner.created);

const x25519Kem = [1, 2].map((index) => {
  const keySeed = seed(`x25519 KEM ${index} key`);
  const randomness = seed(`x25519 KEM ${index} randomness`);
  const pair = herald.x25519Kem.generateKeyPair(herald.fromHex(keySeed));
  const sealed = herald.x25519Kem.encapsulate(pair.publicKey, herald.fromHex(randomness));
  return { seed: keySeed, publicKey: hex(pair.publicKey), randomness, ciphertext: hex(sealed.ciphertext), sharedSecret: hex(sealed.sharedSecret) };
});

const cases = [
  { name: 'medium-term X-Wing prekey, defaults', options: { kind: 'xwing' } },
  { name: 'one-time x25519 prekey, 10 minutes to seal, 1 hour to open', options: { kind: 'x25519', oneTime: true, sealForSeconds: 600, openForSeconds: 3600 } },
];
const now = 1_800_000_100_000;
const prekeys = cases.map((testCase) => {
  const random = { id: seed(`${testCase.name} id`, 8), keySeed: seed(`${testCase.name} key seed`) };
  const chunks = [random.id, random.keySeed].map((value) => herald.fromHex(value));
  const [owned] = herald.generatePrekeys(alice, { ...testCase.options, now, random: () => chunks.shift() });
  const { prekey } = owned;
  return {
    ...testCase,
    now,
    random,
    fields: { id: hex(prekey.id), kind: prekey.kind, oneTime: prekey.oneTime, created: prekey.created, sealUntil: prekey.sealUntil, openUntil: prekey.openUntil },
    publicKey: hex(prekey.publicKey),
    signature: hex(prekey.signature),
    encoded: hex(herald.encodeSignedPrekey(prekey)),
  };
});

const bundle = { owner: alice.card.signingPublicKey, prekeys: prekeys.map((vector) => herald.decodeSignedPrekey(herald.fromHex(vector.encoded))) };
const vectors = {
  owner: { ...owner, signingPublicKey: hex(alice.card.signingPublicKey), cardText: herald.cardToText(alice.card) },
  x25519Kem,
  prekeys,
  bundle: { encoded: hex(herald.encodePrekeyBundle(bundle)), text: herald.prekeyBundleToText(bundle) },
};
writeFileSync(new URL('../test/vectors/prekeys.json', import.meta.url), JSON.stringify(vectors, null, 2) + '\n');
console.log(`wrote ${x25519Kem.length} x25519 KEM, ${prekeys.length} signed prekey and 1 bundle vectors`);
