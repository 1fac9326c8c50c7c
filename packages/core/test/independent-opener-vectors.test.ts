/**
 * The independent v1 implementation (see independent-opener.test.ts) rebuilds
 * and opens the fixed-seed vectors in test/vectors from their seeds (§14), and
 * reads the card and armor vectors by the document's rules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hex, RefusedError, unhex } from './independent-bytes.js';
import { dearmorDoc } from './independent-text.js';
import { decodeCardText, fingerprintOf, independentIdentity, independentOpen, independentSeal, PRECEDENCE_BY_CODE, type IndependentIdentity } from './independent-v1.js';
import { independentCode, type Precedence } from './independent-opener-fixtures.js';
import type { EnvelopeVector as EnvelopeFileVector, IdentityVector } from './vector-files.js';

describe('independent implementation from docs/protocol.md', () => {
  const vectorFolder = new URL('./vectors/', import.meta.url);
  const haveVectors = existsSync(new URL('identities.json', vectorFolder)) && existsSync(new URL('envelopes.json', vectorFolder));
  it.skipIf(!haveVectors)('rebuilds and opens the fixed-seed vectors in test/vectors (§14)', () => {
    type EnvelopeVector = EnvelopeFileVector<{ precedence?: Precedence; ttl?: number; pad?: boolean; contentType?: string; sender?: 'key' | 'keyId'; compactText?: boolean }>;
    const identities = JSON.parse(readFileSync(new URL('identities.json', vectorFolder), 'utf8')) as IdentityVector[];
    const envelopes = JSON.parse(readFileSync(new URL('envelopes.json', vectorFolder), 'utf8')) as EnvelopeVector[];
    const people: Record<string, IndependentIdentity> = {};
    for (const vector of identities) {
      const person = independentIdentity(unhex(vector.signingSeed), unhex(vector.agreementSecretKey), vector.label, vector.created);
      people[vector.label] = person;
      expect(hex(person.signingPublicKey)).toBe(vector.signingPublicKey);
      expect(hex(person.agreementPublicKey)).toBe(vector.agreementPublicKey);
      expect(`herald-card:${Buffer.from(person.cardBytes).toString('base64url')}`).toBe(vector.cardText);
      expect(fingerprintOf(person.signingPublicKey)).toBe(vector.fingerprint);
      expect(hex(person.keyId)).toBe(vector.keyId);
      expect(hex(person.routingTag)).toBe(vector.routingTag);
    }
    for (const vector of envelopes) {
      const body = unhex(vector.plaintext);
      const contentType = vector.options.contentType ?? 'application/octet-stream';
      const rebuilt = independentSeal({
        from: people[vector.from]!,
        to: vector.to.map((label) => people[label]!),
        body,
        precedence: PRECEDENCE_BY_CODE.indexOf(vector.options.precedence ?? 'ROUTINE'),
        ttl: vector.options.ttl ?? 86400,
        contentType,
        pad: vector.options.pad ?? true,
        compactSender: vector.options.sender === 'keyId',
        nowMs: vector.now,
        ephemeralSecret: unhex(vector.random.ephemeralSecret),
        ...(vector.random.contentKey ? { contentKey: unhex(vector.random.contentKey) } : {}),
        ...(vector.options.compactText ? { compactText: true } : {}),
      });
      expect(hex(rebuilt), vector.name).toBe(vector.envelope);
      expect(rebuilt.length).toBe(vector.size);
      for (const label of vector.to) {
        const opened = independentOpen(unhex(vector.envelope), { me: people[label]!, contacts: [{ signingPublicKey: people[vector.from]!.signingPublicKey }], nowMs: vector.now });
        expect(hex(opened.plaintext)).toBe(vector.plaintext);
        expect(opened.id).toBe(vector.id);
        expect(opened.expires).toBe(vector.expires);
        expect(opened.precedence).toBe(vector.options.precedence ?? 'ROUTINE');
        expect(opened.contentType).toBe(contentType);
        expect(hex(opened.senderSigningKey)).toBe(hex(people[vector.from]!.signingPublicKey));
      }
    }

    // refusals.json: rebuilt from the seeds as §14 describes them, then refused by every recipient it lists.
    interface RefusalVector {
      name: string;
      from: string;
      to: string[];
      plaintext: string;
      ttl: number;
      now: number;
      random: { ephemeralSecret: string; contentKey: string };
      envelope: string;
      size: number;
      code: string;
    }
    const refusals = JSON.parse(readFileSync(new URL('refusals.json', vectorFolder), 'utf8')) as RefusalVector[];
    expect(refusals.length).toBeGreaterThan(0);
    for (const vector of refusals) {
      const rebuilt = independentSeal({
        from: people[vector.from]!,
        to: vector.to.map((label) => people[label]!),
        body: unhex(vector.plaintext),
        precedence: 0,
        ttl: vector.ttl,
        contentType: 'text/plain; charset=utf-8',
        pad: false,
        compactSender: false,
        nowMs: vector.now,
        ephemeralSecret: unhex(vector.random.ephemeralSecret),
        contentKey: unhex(vector.random.contentKey),
      });
      expect(hex(rebuilt), vector.name).toBe(vector.envelope);
      expect(rebuilt.length).toBe(vector.size);
      for (const label of vector.to) {
        const code = independentCode(unhex(vector.envelope), { me: people[label]!, contacts: [{ signingPublicKey: people[vector.from]!.signingPublicKey }], nowMs: vector.now });
        expect({ vector: vector.name, label, code }).toEqual({ vector: vector.name, label, code: vector.code });
      }
    }

    // cards.json (§4.1 step 8) and armor.json (§6.1, §11), read by the rules above.
    const cards = JSON.parse(readFileSync(new URL('cards.json', vectorFolder), 'utf8')) as { name: string; agreementPublicKey: string; cardText: string; code: string | null }[];
    expect(cards.length).toBe(16);
    for (const vector of cards) {
      let code: string | null = null;
      try {
        expect(hex(decodeCardText(vector.cardText).agreementPublicKey), vector.name).toBe(vector.agreementPublicKey);
      } catch (error) {
        if (!(error instanceof RefusedError)) throw error;
        code = error.code;
      }
      expect({ vector: vector.name, code }).toEqual({ vector: vector.name, code: vector.code });
    }
    const armor = JSON.parse(readFileSync(new URL('armor.json', vectorFolder), 'utf8')) as { name: string; text: string; envelope?: string; code?: string }[];
    expect(armor.length).toBeGreaterThan(0);
    for (const vector of armor) {
      const bytes = dearmorDoc(vector.text);
      expect({ vector: vector.name, result: bytes === undefined ? 'MALFORMED' : hex(bytes) }).toEqual({ vector: vector.name, result: vector.envelope ?? vector.code });
    }
  });
});
