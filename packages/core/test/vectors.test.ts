import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cardToText, dearmorEnvelope, envelopeFromInput, envelopeId, envelopeRoute, envelopeRoutingTags, fromHex, identityFromSecrets, inspect, open, parseCard, seal, toHex, type Identity, type SealOptions } from '@herald/core';
import { expectCode, scriptedRandom } from './helpers.js';
import type { EnvelopeVector as EnvelopeFileVector, IdentityVector } from './vector-files.js';

type EnvelopeVector = EnvelopeFileVector<Pick<SealOptions, 'precedence' | 'ttl' | 'pad' | 'contentType' | 'sender' | 'compactText'>>;

const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8')) as T;
const identityVectors = read<IdentityVector[]>('identities.json');
const envelopeVectors = read<EnvelopeVector[]>('envelopes.json');
interface RefusalVector {
  name: string;
  from: string;
  to: string[];
  now: number;
  envelope: string;
  code: string;
  /** The step of protocol.md section 9 that refuses it; steps up to 6a are the header readers' too. */
  step: string;
}
const HEADER_STEPS = new Set(['1', '2', '3', '4', '5', '6', '6a']);
interface CardVector {
  name: string;
  agreementPublicKey: string;
  cardText: string;
  code: string | null;
}
interface ArmorVector {
  name: string;
  text: string;
  envelope?: string;
  code?: string;
}
const refusalVectors = read<RefusalVector[]>('refusals.json');
const identities = new Map<string, Identity>(
  identityVectors.map((vector) => [vector.label, identityFromSecrets(fromHex(vector.signingSeed), fromHex(vector.agreementSecretKey), vector.label, vector.created)]),
);
const identity = (label: string): Identity => identities.get(label) ?? (() => { throw new Error(`no identity ${label}`); })();

describe('identity test vectors', () => {
  for (const vector of identityVectors) {
    it(`${vector.label}: keys, card, fingerprint, key id and routing tag`, () => {
      const card = identity(vector.label).card;
      expect(toHex(card.signingPublicKey)).toBe(vector.signingPublicKey);
      expect(toHex(card.agreementPublicKey)).toBe(vector.agreementPublicKey);
      expect(cardToText(card)).toBe(vector.cardText);
      expect(card.fingerprint).toBe(vector.fingerprint);
      expect(toHex(card.keyId)).toBe(vector.keyId);
      expect(toHex(card.routingTag)).toBe(vector.routingTag);
      expect(parseCard(vector.cardText).fingerprint).toBe(vector.fingerprint);
    });
  }
});

describe('envelope test vectors', () => {
  for (const vector of envelopeVectors) {
    it(`${vector.name}: fixed seeds give exactly the recorded bytes`, () => {
      const random = scriptedRandom(...[vector.random.ephemeralSecret, vector.random.contentKey].filter((hex): hex is string => hex !== undefined));
      const envelope = seal(fromHex(vector.plaintext), { ...vector.options, from: identity(vector.from), to: vector.to.map((label) => identity(label).card), now: vector.now, random });
      expect(random.remaining()).toBe(0);
      expect(toHex(envelope)).toBe(vector.envelope);
      expect(envelope.length).toBe(vector.size);
      expect(inspect(envelope).id).toBe(vector.id);
      // The relay's one-parse reading says what inspect says.
      const outline = inspect(envelope);
      expect(envelopeRoute(envelope)).toEqual({ id: outline.id, routingTags: outline.routingTags, expiresAt: outline.expires.getTime() });
    });

    it(`${vector.name}: every recipient opens the recorded bytes`, async () => {
      for (const label of vector.to) {
        const opened = await open(fromHex(vector.envelope), { identity: identity(label), contacts: [identity(vector.from).card], now: vector.now });
        expect(toHex(opened.plaintext)).toBe(vector.plaintext);
        expect(opened.id).toBe(vector.id);
        expect(opened.sender.fingerprint).toBe(identity(vector.from).card.fingerprint);
        expect(opened.precedence).toBe(vector.options.precedence);
        expect(opened.expires.getTime()).toBe(vector.expires * 1000);
        expect(opened.created.getTime()).toBe(Math.floor(vector.now / 1000) * 1000);
      }
    });
  }
});

describe('refusal test vectors', () => {
  it('there is at least one', () => expect(refusalVectors.length).toBeGreaterThan(0));
  for (const vector of refusalVectors) {
    it(`${vector.name}: every listed recipient refuses it with ${vector.code} (step ${vector.step}), and reading without opening does so exactly for a header step`, async () => {
      const bytes = fromHex(vector.envelope);
      for (const label of new Set(vector.to)) {
        await expectCode(open(bytes, { identity: identity(label), contacts: [identity(vector.from).card], now: vector.now }), vector.code);
      }
      // What relays and stores call to route and key an envelope refuses it too when the header is at fault (protocol.md section 9).
      for (const read of [inspect, envelopeId, envelopeRoutingTags, envelopeRoute]) {
        if (HEADER_STEPS.has(vector.step)) await expectCode(() => read(bytes), vector.code);
        else expect(() => read(bytes)).not.toThrow();
      }
    });
  }
});

describe('card test vectors (protocol.md section 4.1 step 8)', () => {
  const cardVectors = read<CardVector[]>('cards.json');
  it('cover the 14 small-order encodings and two non-canonical keys of large order', () => {
    expect(cardVectors.filter((vector) => vector.code === 'BAD_CARD')).toHaveLength(14);
    expect(cardVectors.filter((vector) => vector.code === null)).toHaveLength(2);
  });
  for (const vector of cardVectors) {
    it(`${vector.name}: ${vector.code ?? 'accepted'}`, async () => {
      if (vector.code === null) expect(toHex(parseCard(vector.cardText).agreementPublicKey)).toBe(vector.agreementPublicKey);
      else await expectCode(() => parseCard(vector.cardText), vector.code);
    });
  }
});

describe('armor test vectors (protocol.md sections 1 and 11)', () => {
  for (const vector of read<ArmorVector[]>('armor.json')) {
    it(`${vector.name}: ${vector.code ?? 'accepted'}`, async () => {
      if (vector.envelope !== undefined) {
        expect(toHex(dearmorEnvelope(vector.text))).toBe(vector.envelope);
        // The same text as bytes (UTF-8), as `herald open` reads a file.
        expect(toHex(envelopeFromInput(new TextEncoder().encode(vector.text)))).toBe(vector.envelope);
      } else await expectCode(() => dearmorEnvelope(vector.text), vector.code!);
    });
  }
});
