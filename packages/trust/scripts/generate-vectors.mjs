// Regenerates test/vectors/trust.json from fixed seeds. Run after a deliberate format change only:
//   npx tsc -b && node packages/trust/scripts/generate-vectors.mjs
// test/vectors.test.ts checks them; docs/protocol.md section 15 documents them.
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as core from '../../core/dist/index.js';
import * as trust from '../dist/index.js';

const seed = (name) => createHash('sha512').update(`herald trust vector: ${name}`).digest().subarray(0, 32).toString('hex');
const people = ['Mission Authority', 'Field Office', 'Alice', 'Bob', 'Bob (new key)'].map((label, index) => ({
  label,
  signingSeed: seed(`${label} signing seed`),
  agreementSecretKey: seed(`${label} agreement secret`),
  created: 1_800_000_000 + index,
}));
const ids = Object.fromEntries(people.map((p) => [p.label, core.identityFromSecrets(core.fromHex(p.signingSeed), core.fromHex(p.agreementSecretKey), p.label, p.created)]));
const identities = people.map((p) => ({ ...p, card: core.cardToText(ids[p.label].card), fingerprint: ids[p.label].card.fingerprint }));

const certificateCases = [
  { name: 'sub-authority', issuer: 'Mission Authority', subject: 'Field Office', role: 'field office', notBefore: 1_800_000_000, notAfter: 1_831_536_000, authority: { pathLength: 0 } },
  { name: 'member by the sub-authority', issuer: 'Field Office', subject: 'Alice', role: 'radio operator', notBefore: 1_800_000_100, notAfter: 1_831_536_000 },
  { name: 'member by the authority, no role', issuer: 'Mission Authority', subject: 'Bob', role: '', notBefore: 1_800_000_200, notAfter: 1_800_086_600 },
];
const certificates = Object.fromEntries(
  certificateCases.map((c) => [c.name, trust.issueCertificate({ issuer: ids[c.issuer], subject: ids[c.subject].card, role: c.role, notBefore: c.notBefore * 1000, notAfter: c.notAfter * 1000, ...(c.authority ? { authority: c.authority } : {}) })]),
);

const listCases = [
  { name: 'empty list', issuer: 'Mission Authority', serial: 1, issued: 1_800_001_000, entries: [] },
  {
    name: 'two revoked',
    issuer: 'Mission Authority',
    serial: 2,
    issued: 1_800_002_000,
    entries: [
      { fingerprint: ids['Bob'].card.fingerprint, revokedAt: 1_800_001_500, reason: 'lost' },
      { fingerprint: ids['Field Office'].card.fingerprint, revokedAt: 1_800_001_900, reason: 'compromised' },
    ],
  },
];
const lists = listCases.map((c) => {
  const list = trust.issueRevocationList({
    issuer: ids[c.issuer],
    serial: c.serial,
    issued: c.issued * 1000,
    entries: c.entries.map((e) => ({ fingerprint: trust.fingerprintFromText(e.fingerprint), revokedAt: e.revokedAt * 1000, reason: e.reason })),
  });
  return { ...c, bytes: core.toHex(list.bytes), text: trust.revocationListToText(list) };
});

const rotation = trust.createRotation(ids['Bob'], ids['Bob (new key)'], 1_800_003_000 * 1000);
const rotations = [{ name: 'Bob rotates', previous: 'Bob', successor: 'Bob (new key)', issued: 1_800_003_000, bytes: core.toHex(rotation.bytes) }];

const chain = [certificates['member by the sub-authority'], certificates['sub-authority']];
const body = Buffer.from('Convoy leaves at 06:00');
const wrappers = [{ name: 'Alice through the field office', chain: ['member by the sub-authority', 'sub-authority'], contentType: 'text/plain; charset=utf-8', body: body.toString('hex'), bytes: core.toHex(trust.wrapCertified(chain, 'text/plain; charset=utf-8', body)) }];

const out = {
  identities,
  certificates: certificateCases.map((c) => ({ ...c, bytes: core.toHex(certificates[c.name].bytes), size: certificates[c.name].bytes.length })),
  revocationLists: lists,
  rotations,
  wrappers,
};
writeFileSync(new URL('../test/vectors/trust.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${identities.length} identities, ${certificateCases.length} certificates, ${lists.length} revocation lists, ${rotations.length} rotation, ${wrappers.length} wrapper`);
