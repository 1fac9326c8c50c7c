// Regenerates test/vectors/envelopes-v2.json (docs/protocol.md section 17.8) from fixed seeds.
// Run after a deliberate change of the v2 wire format only:
//   pnpm --silent build && node packages/core/scripts/generate-vectors-v2.mjs
// The identities are those of identities.json (generate-vectors.mjs); test/envelope-v2/vectors.test.ts checks the result.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as herald from '../dist/index.js';

const folder = new URL('../test/vectors/', import.meta.url);
const seed = (name, length = 32) => createHash('sha512').update(`herald v2 test vector: ${name}`).digest().subarray(0, length).toString('hex');
const identities = Object.fromEntries(
  JSON.parse(readFileSync(new URL('identities.json', folder), 'utf8')).map((person) => [
    person.label,
    herald.identityFromSecrets(herald.fromHex(person.signingSeed), herald.fromHex(person.agreementSecretKey), person.label, person.created),
  ]),
);
const NOW = 1_800_000_200_000;
const RANDOM_BYTES = { x25519: 32, xwing: 64 };

const shapes = [
  { name: 'one recipient, unpadded, text, FLASH, one-time prekey', from: 'Alice', to: ['Bob'], oneTime: true, plaintext: Buffer.from('Hello, Herald v2').toString('hex'), options: { precedence: 'FLASH', ttl: 3600, pad: false } },
  { name: 'three recipients, padded, custom content type, PRIORITY', from: 'Bob', to: ['Alice', 'Carol', 'Dave'], oneTime: false, plaintext: Buffer.from('{"sitrep":"all quiet"}').toString('hex'), options: { precedence: 'PRIORITY', ttl: 7200, contentType: 'application/vnd.mission.sitrep+json' } },
];
const cases = ['x25519', 'xwing'].flatMap((kind) => shapes.map((shape) => ({ ...shape, kind, name: `${kind}: ${shape.name}` })));

const vectors = cases.map((testCase, index) => {
  const now = NOW + index * 1000;
  const owned = testCase.to.map((label) => {
    const id = seed(`${testCase.name} ${label} prekey id`, 8);
    const keySeed = seed(`${testCase.name} ${label} prekey seed`);
    const draws = [id, keySeed].map((hex) => herald.fromHex(hex));
    const [made] = herald.generatePrekeys(identities[label], { kind: testCase.kind, oneTime: testCase.oneTime, now: now - 60_000, sealForSeconds: 86_400, openForSeconds: 6 * 86_400, random: () => draws.shift() });
    return { label, made, vector: { label, kind: testCase.kind, id, seed: keySeed, oneTime: testCase.oneTime, created: made.prekey.created, sealUntil: made.prekey.sealUntil, openUntil: made.prekey.openUntil, publicKey: herald.toHex(made.prekey.publicKey), signature: herald.toHex(made.prekey.signature) } };
  });
  const prekeys = owned.map(({ vector }) => vector);
  const random = { ephemeralSecret: seed(`${testCase.name} ephemeral`) };
  if (testCase.to.length > 1) random.contentKey = seed(`${testCase.name} content key`);
  random.encapsulation = testCase.to.map((label) => seed(`${testCase.name} ${label} encapsulation`, RANDOM_BYTES[testCase.kind]));
  const draws = [random.ephemeralSecret, random.contentKey, ...random.encapsulation].filter(Boolean).map((hex) => herald.fromHex(hex));
  const to = owned.map(({ label, made }) => ({ card: identities[label].card, prekey: made.prekey }));
  const envelope = herald.sealV2(herald.fromHex(testCase.plaintext), { ...testCase.options, from: identities[testCase.from], to, now, random: () => draws.shift() });
  if (draws.length !== 0) throw new Error(`${testCase.name}: ${draws.length} random draws unused`);
  const outline = herald.inspect(envelope);
  const { oneTime, kind, ...rest } = testCase;
  return { ...rest, prekeys, now, random, envelope: herald.toHex(envelope), size: envelope.length, id: outline.id, expires: outline.expires.getTime() / 1000 };
});

writeFileSync(new URL('envelopes-v2.json', folder), JSON.stringify(vectors, null, 2) + '\n');
console.log(`wrote ${vectors.length} v2 envelope vectors`);
