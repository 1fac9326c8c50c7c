import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, generatePrekeys, identityFromSecrets, inspect, open, sealV2, toHex, type Identity, type PrekeyKind, type SealV2Options } from '@herald/core';
import { scriptedRandom } from '../helpers.js';
import { resolverOf, type TestPrekey } from './helpers.js';

interface PrekeyVector {
  label: string;
  kind: PrekeyKind;
  id: string;
  seed: string;
  oneTime: boolean;
  created: number;
  sealUntil: number;
  openUntil: number;
  publicKey: string;
  signature: string;
}
interface EnvelopeV2Vector {
  name: string;
  from: string;
  to: string[];
  prekeys: PrekeyVector[];
  plaintext: string;
  options: Pick<SealV2Options, 'precedence' | 'ttl' | 'pad' | 'contentType'>;
  now: number;
  random: { ephemeralSecret: string; contentKey?: string; encapsulation: string[] };
  envelope: string;
  size: number;
  id: string;
  expires: number;
}

const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as T;
const identities = new Map<string, Identity>(
  read<{ label: string; signingSeed: string; agreementSecretKey: string; created: number }[]>('identities.json').map((vector) => [
    vector.label,
    identityFromSecrets(fromHex(vector.signingSeed), fromHex(vector.agreementSecretKey), vector.label, vector.created),
  ]),
);
const person = (label: string): Identity => identities.get(label) ?? (() => { throw new Error(`no identity ${label}`); })();
const vectors = read<EnvelopeV2Vector[]>('envelopes-v2.json');

/** Rebuilds a prekey from its vector: generatePrekeys draws the id, then the key seed. */
function rebuildPrekey(vector: PrekeyVector): TestPrekey {
  const [owned] = generatePrekeys(person(vector.label), {
    kind: vector.kind,
    oneTime: vector.oneTime,
    now: vector.created * 1000,
    sealForSeconds: vector.sealUntil - vector.created,
    openForSeconds: vector.openUntil - vector.sealUntil,
    random: scriptedRandom(vector.id, vector.seed),
  });
  return { signed: owned!.prekey, secret: owned! };
}

describe('envelope v2 test vectors', () => {
  it('cover both kinds, one and three recipients', () => {
    const shapes = vectors.map((vector) => `${vector.prekeys[0]!.kind}/${vector.to.length}`).sort();
    expect(shapes).toEqual(['x25519/1', 'x25519/3', 'xwing/1', 'xwing/3']);
  });

  it.each(vectors.map((vector) => [vector.name, vector] as const))('%s: rebuilt byte for byte and opened by every recipient', async (_name, vector) => {
    const prekeys = vector.prekeys.map(rebuildPrekey);
    prekeys.forEach((prekey, index) => {
      expect(toHex(prekey.signed.publicKey)).toBe(vector.prekeys[index]!.publicKey);
      expect(toHex(prekey.signed.signature)).toBe(vector.prekeys[index]!.signature);
    });
    const random = scriptedRandom(...[vector.random.ephemeralSecret, vector.random.contentKey, ...vector.random.encapsulation].filter((hex): hex is string => hex !== undefined));
    const envelope = sealV2(fromHex(vector.plaintext), {
      ...vector.options,
      from: person(vector.from),
      to: vector.to.map((label, index) => ({ card: person(label).card, prekey: prekeys[index]!.signed })),
      now: vector.now,
      random,
    });
    expect(random.remaining()).toBe(0);
    expect(toHex(envelope)).toBe(vector.envelope);
    expect(envelope.length).toBe(vector.size);
    expect(inspect(envelope).id).toBe(vector.id);
    expect(inspect(envelope).expires.getTime()).toBe(vector.expires * 1000);
    for (const [index, label] of vector.to.entries()) {
      const opened = await open(fromHex(vector.envelope), { identity: person(label), prekeys: resolverOf(prekeys[index]!), now: vector.now });
      expect(toHex(opened.plaintext)).toBe(vector.plaintext);
      expect(opened.id).toBe(vector.id);
      expect(opened.prekey).toEqual({ id: vector.prekeys[index]!.id, kind: vector.prekeys[index]!.kind, oneTime: vector.prekeys[index]!.oneTime });
    }
  });
});
