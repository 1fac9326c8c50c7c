// Regenerates test/vectors/*.json from fixed seeds. Run after a deliberate wire-format change only:
//   npx tsc -b && node packages/core/scripts/generate-vectors.mjs
// The vectors are then checked by test/vectors.test.ts and documented in docs/protocol.md.
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as herald from '../dist/index.js';
import { concatBytes, writeU32 } from '../dist/bytes.js';
import { contentNonce, keyEncryptionKey, messageIdFromEphemeral, signedMessage, xorInto } from '../dist/envelope/keys.js';
import { sodium } from '../dist/sodium.js';

const seed = (name, length = 32) => createHash('sha512').update(`herald test vector: ${name}`).digest().subarray(0, length).toString('hex');
const people = ['Alice', 'Bob', 'Carol', 'Dave'].map((label, index) => ({
  label,
  signingSeed: seed(`${label} signing seed`),
  agreementSecretKey: seed(`${label} agreement secret`),
  created: 1_800_000_000 + index,
}));
const identities = Object.fromEntries(
  people.map((person) => [person.label, herald.identityFromSecrets(herald.fromHex(person.signingSeed), herald.fromHex(person.agreementSecretKey), person.label, person.created)]),
);

const identityVectors = people.map((person) => {
  const card = identities[person.label].card;
  return { ...person, signingPublicKey: herald.toHex(card.signingPublicKey), agreementPublicKey: herald.toHex(card.agreementPublicKey), cardText: herald.cardToText(card), fingerprint: card.fingerprint, keyId: herald.toHex(card.keyId), routingTag: herald.toHex(card.routingTag) };
});

const cases = [
  { name: 'one recipient, unpadded, text, FLASH', from: 'Alice', to: ['Bob'], plaintext: Buffer.from('Hello, Herald').toString('hex'), options: { precedence: 'FLASH', ttl: 3600, pad: false } },
  { name: 'one recipient, padded, empty, ROUTINE', from: 'Alice', to: ['Bob'], plaintext: '', options: { precedence: 'ROUTINE', ttl: 86400, contentType: 'application/octet-stream' } },
  { name: 'three recipients, padded, custom content type, PRIORITY', from: 'Bob', to: ['Alice', 'Carol', 'Dave'], plaintext: Buffer.from('{"sitrep":"all quiet"}').toString('hex'), options: { precedence: 'PRIORITY', ttl: 7200, contentType: 'application/vnd.mission.sitrep+json' } },
  { name: 'one recipient, compact sender key id, IMMEDIATE', from: 'Carol', to: ['Alice'], plaintext: Buffer.from('Move to rally point B').toString('hex'), options: { precedence: 'IMMEDIATE', ttl: 600, pad: false, sender: 'keyId' } },
  { name: 'one recipient, compact sender, coded text (Morse table), ROUTINE', from: 'Alice', to: ['Bob'], plaintext: Buffer.from('QRV 0600Z AT BRIDGE 2. BRING WATER.').toString('hex'), options: { precedence: 'ROUTINE', ttl: 3600, pad: false, sender: 'keyId', contentType: 'text/plain; charset=utf-8', compactText: true } },
  { name: 'one recipient, compact sender, coded text (lower-case Morse table with SHIFT), PRIORITY', from: 'Bob', to: ['Carol'], plaintext: Buffer.from('Meet at Bridge 2 by 0600, bring the Radio.').toString('hex'), options: { precedence: 'PRIORITY', ttl: 7200, pad: false, sender: 'keyId', contentType: 'text/plain; charset=utf-8', compactText: true } },
];

const envelopeVectors = cases.map((testCase, index) => {
  const now = 1_800_000_100_000 + index * 1000;
  const random = { ephemeralSecret: seed(`${testCase.name} ephemeral`) };
  if (testCase.to.length > 1) random.contentKey = seed(`${testCase.name} content key`);
  const chunks = [random.ephemeralSecret, random.contentKey].filter(Boolean).map((hex) => herald.fromHex(hex));
  const envelope = herald.seal(herald.fromHex(testCase.plaintext), {
    ...testCase.options,
    from: identities[testCase.from],
    to: testCase.to.map((label) => identities[label].card),
    now,
    random: (length) => chunks.shift(),
  });
  const outline = herald.inspect(envelope);
  return { ...testCase, now, random, envelope: herald.toHex(envelope), size: envelope.length, id: outline.id, expires: outline.expires.getTime() / 1000 };
});

/**
 * Envelopes a conformant opener refuses although every signature and tag in them is valid. `seal` cannot make
 * them, so they are built here step by step from protocol.md section 8 (unpadded, key form, text/plain).
 */
function sealListing({ from, to, plaintext, ttl, now, ephemeralSecret, contentKey }) {
  const created = Math.floor(now / 1000);
  const ephemeralPublicKey = sodium.crypto_scalarmult_base(herald.fromHex(ephemeralSecret));
  const header = new Uint8Array(38 + 48 * to.length);
  header[0] = 1;
  writeU32(header, 1, created + ttl);
  header.set(ephemeralPublicKey, 5);
  header[37] = to.length;
  to.forEach((label, index) => {
    const card = identities[label].card;
    const kek = keyEncryptionKey(sodium.crypto_scalarmult(herald.fromHex(ephemeralSecret), card.agreementPublicKey), ephemeralPublicKey, card.agreementPublicKey);
    header.set(card.routingTag, 38 + 48 * index);
    header.set(xorInto(new Uint8Array(32), herald.fromHex(contentKey), kek), 38 + 48 * index + 16);
  });
  const meta = 0x00; // ROUTINE, unpadded, full sender key
  const type = Uint8Array.of(0x01); // text/plain; charset=utf-8
  const createdBytes = new Uint8Array(4);
  writeU32(createdBytes, 0, created);
  const body = herald.fromHex(plaintext);
  const signer = identities[from];
  const signature = sodium.crypto_sign_detached(signedMessage(header, meta, type, signer.card.signingPublicKey, createdBytes, body), signer.signingSecretKey);
  const inner = concatBytes([Uint8Array.of(meta), type, signer.card.signingPublicKey, createdBytes, signature, body]);
  const nonce = contentNonce(messageIdFromEphemeral(ephemeralPublicKey));
  return concatBytes([header, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, header, null, nonce, herald.fromHex(contentKey))]);
}

const refusalCases = [
  {
    name: 'a routing tag listed twice (Bob, Carol, Bob), every wrap and the signature valid',
    from: 'Alice',
    to: ['Bob', 'Carol', 'Bob'],
    plaintext: Buffer.from('Bob is listed twice').toString('hex'),
    ttl: 3600,
    code: 'MALFORMED',
  },
];
const refusalVectors = [];
for (const [index, testCase] of refusalCases.entries()) {
  const now = 1_800_000_200_000 + index * 1000;
  const random = { ephemeralSecret: seed(`${testCase.name} ephemeral`), contentKey: seed(`${testCase.name} content key`) };
  const envelope = sealListing({ ...testCase, now, ...random });
  // Checked here too, so that a vector this build does not refuse with its code is never written.
  for (const label of new Set(testCase.to)) {
    const code = await herald.open(envelope, { identity: identities[label], contacts: [identities[testCase.from].card], now }).then(() => 'OK', (error) => error.code);
    if (code !== testCase.code) throw new Error(`${testCase.name}: ${label} got ${code}, expected ${testCase.code}`);
  }
  refusalVectors.push({ ...testCase, now, random, envelope: herald.toHex(envelope), size: envelope.length });
}

const folder = new URL('../test/vectors/', import.meta.url);
writeFileSync(new URL('identities.json', folder), JSON.stringify(identityVectors, null, 2) + '\n');
writeFileSync(new URL('envelopes.json', folder), JSON.stringify(envelopeVectors, null, 2) + '\n');
writeFileSync(new URL('refusals.json', folder), JSON.stringify(refusalVectors, null, 2) + '\n');
console.log(`wrote ${identityVectors.length} identity, ${envelopeVectors.length} envelope and ${refusalVectors.length} refusal vectors`);
