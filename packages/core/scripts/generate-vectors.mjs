// Regenerates test/vectors/*.json from fixed seeds. Run after a deliberate wire-format change only:
//   npx tsc -b && node packages/core/scripts/generate-vectors.mjs
// The vectors are then checked by test/vectors.test.ts and documented in docs/protocol.md.
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as herald from '../dist/index.js';
import { concatBytes, writeU32 } from '../dist/bytes.js';
import { cardSignedPart } from '../dist/card.js';
import { DOMAIN } from '../dist/domains.js';
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
    step: '6a',
  },
  {
    name: 'a text/plain; charset=utf-8 body that is not UTF-8 (a UTF-16 surrogate, ed a0 80), wraps and signature valid',
    from: 'Alice',
    to: ['Bob', 'Carol'],
    plaintext: Buffer.concat([Buffer.from('surrogate: '), Buffer.from([0xed, 0xa0, 0x80])]).toString('hex'),
    ttl: 3600,
    code: 'MALFORMED',
    step: '18b',
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

/**
 * Cards (section 4.1 step 8): one signing key self-signs a card for each of the 14 encodings of a small-order
 * X25519 point (the seven u values below with bit 255 clear and set), which readers refuse, and for two keys
 * that are non-canonical but not of small order, which readers accept as written.
 */
const le = (value) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex').reverse().toString('hex');
const P = 2n ** 255n - 19n;
const smallOrder = [
  ['u = 0', 0n],
  ['u = 1', 1n],
  ['an order-8 point', BigInt('0x' + Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex').reverse().toString('hex'))],
  ['the other order-8 point', BigInt('0x' + Buffer.from('5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', 'hex').reverse().toString('hex'))],
  ['u = p - 1', P - 1n],
  ['u = p, a non-canonical 0', P],
  ['u = p + 1, a non-canonical 1', P + 1n],
];
const cardSigner = herald.identityFromSecrets(herald.fromHex(seed('card vectors signing seed')), herald.fromHex(seed('card vectors agreement secret')), 'cards', 1_800_000_300);
function cardWithKey(name, keyHex, code) {
  const signedPart = cardSignedPart(cardSigner.card.signingPublicKey, herald.fromHex(keyHex), 'key test', 1_800_000_300);
  const signature = sodium.crypto_sign_detached(concatBytes([DOMAIN.cardSignature, signedPart]), cardSigner.signingSecretKey);
  const cardText = 'herald-card:' + Buffer.from(concatBytes([signedPart, signature])).toString('base64url');
  const got = (() => {
    try {
      herald.parseCard(cardText);
      return null;
    } catch (error) {
      return error.code;
    }
  })();
  if (got !== code) throw new Error(`${name}: parseCard gave ${got}, expected ${code}`);
  return { name, agreementPublicKey: keyHex, cardText, code };
}
const cardVectors = [];
for (const [label, u] of smallOrder) {
  cardVectors.push(cardWithKey(`small order: ${label}`, le(u), 'BAD_CARD'));
  const high = Buffer.from(le(u), 'hex');
  high[31] |= 0x80;
  cardVectors.push(cardWithKey(`small order: ${label}, bit 255 set`, high.toString('hex'), 'BAD_CARD'));
}
cardVectors.push(cardWithKey('non-canonical p + 2 (reduces to 2, not of small order): accepted as written', le(P + 2n), null));
const highBitKey = Buffer.from(cardSigner.card.agreementPublicKey);
highBitKey[31] |= 0x80;
cardVectors.push(cardWithKey('an honest key with bit 255 set (X25519 ignores the bit): accepted as written', highBitKey.toString('hex'), null));

/**
 * Armor (sections 1 and 11): one envelope from envelopes.json (169 bytes, so its base64 ends in `==` and its last
 * character has four unused bits) in texts a reader accepts or refuses.
 */
const armored = envelopeVectors[3];
const armoredBytes = herald.fromHex(armored.envelope);
const canonical = herald.armorEnvelope(armoredBytes);
const [begin, ...rest] = canonical.trimEnd().split('\n');
const end = rest.pop();
const lines = rest;
const body = lines.join('');
const lastIndex = body.length - 3; // the character before `==`
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const nonCanonical = body.slice(0, lastIndex) + alphabet[alphabet.indexOf(body[lastIndex]) ^ 0x01] + body.slice(lastIndex + 1);
const armorCases = [
  { name: 'as armorEnvelope writes it', text: canonical, accepted: true },
  { name: 'a byte-order mark first, CRLF line ends, a tab and a no-break space inside, trailing spaces', text: `\ufeff${begin}\r\n${lines.join('\t\r\n')}\u00a0\r\n${end}  \r\n`, accepted: true },
  { name: 'padding left out', text: `${begin}\n${body.replace(/=+$/, '')}\n${end}\n`, accepted: true },
  { name: 'one = where two are needed', text: `${begin}\n${body.replace(/=+$/, '=')}\n${end}\n`, accepted: false },
  { name: 'a third =', text: `${begin}\n${body}=\n${end}\n`, accepted: false },
  { name: 'one data character short (4k + 1 of them), padding left out', text: `${begin}\n${body.replace(/=+$/, '').slice(0, -1)}\n${end}\n`, accepted: false },
  { name: 'non-zero unused bits in the last character (non-canonical)', text: `${begin}\n${nonCanonical}\n${end}\n`, accepted: false },
  { name: 'U+0085 (NEL), which is not whitespace here, between two lines', text: `${begin}\n${lines.join('\u0085')}\n${end}\n`, accepted: false },
];
const armorVectors = armorCases.map((testCase) => {
  const got = (() => {
    try {
      return herald.toHex(herald.dearmorEnvelope(testCase.text));
    } catch (error) {
      return error.code;
    }
  })();
  const expected = testCase.accepted ? armored.envelope : 'MALFORMED';
  if (got !== expected) throw new Error(`armor ${testCase.name}: got ${got}`);
  return { name: testCase.name, text: testCase.text, ...(testCase.accepted ? { envelope: armored.envelope } : { code: 'MALFORMED' }) };
});

const folder = new URL('../test/vectors/', import.meta.url);
writeFileSync(new URL('identities.json', folder), JSON.stringify(identityVectors, null, 2) + '\n');
writeFileSync(new URL('envelopes.json', folder), JSON.stringify(envelopeVectors, null, 2) + '\n');
writeFileSync(new URL('refusals.json', folder), JSON.stringify(refusalVectors, null, 2) + '\n');
writeFileSync(new URL('cards.json', folder), JSON.stringify(cardVectors, null, 2) + '\n');
writeFileSync(new URL('armor.json', folder), JSON.stringify(armorVectors, null, 2) + '\n');
console.log(`wrote ${identityVectors.length} identity, ${envelopeVectors.length} envelope, ${refusalVectors.length} refusal, ${cardVectors.length} card and ${armorVectors.length} armor vectors`);
