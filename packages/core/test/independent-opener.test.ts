/**
 * A second, independent implementation of the Herald v1 envelope, written from
 * docs/protocol.md alone with libsodium primitives. It imports nothing from
 * core's envelope, card or padding code. From '@herald/core' it takes only
 * `generateIdentity` and `seal` to produce inputs, and `open` to compare against.
 *
 * If a test here fails while the library's own tests pass, the library and the
 * document disagree. Fix the document if it is ambiguous or wrong, or report the
 * library if the document states the intent.
 *
 * The implementation itself is in independent-v1.ts, its fixtures and cases in
 * independent-opener-fixtures.ts and independent-opener-cases.ts. This file
 * checks that both derive and seal the same bytes; refusals are in
 * independent-opener-refusals.test.ts and the fixed-seed vectors in
 * independent-opener-vectors.test.ts.
 */
import sodium from 'libsodium-wrappers-sumo';
import { describe, expect, it } from 'vitest';
import { open } from '@herald/core';
import { ascii, cat, hex } from './independent-bytes.js';
import { bucket, codeTextDoc, D, decodeCardText, encodeContentType, fingerprintOf, headerLength, independentOpen } from './independent-v1.js';
import { cases, sealBoth } from './independent-opener-cases.js';
import { contactsOf, independent, labels, library, NOW } from './independent-opener-fixtures.js';

describe('independent implementation from docs/protocol.md', () => {
  it('derives the same keys, card bytes, fingerprint, key id and routing tag (§3–§5)', () => {
    for (const label of labels) {
      const card = library[label]!.card;
      const mine = independent[label]!;
      expect(hex(mine.signingPublicKey)).toBe(hex(card.signingPublicKey));
      expect(hex(mine.agreementPublicKey)).toBe(hex(card.agreementPublicKey));
      expect(hex(mine.cardBytes)).toBe(hex(card.bytes));
      expect(fingerprintOf(mine.signingPublicKey)).toBe(card.fingerprint);
      expect(hex(mine.keyId)).toBe(hex(card.keyId));
      expect(hex(mine.routingTag)).toBe(hex(card.routingTag));
      const decoded = decodeCardText(`herald-card:${Buffer.from(mine.cardBytes).toString('base64url')}`);
      expect(decoded.label).toBe(label);
      expect(hex(decoded.agreementPublicKey)).toBe(hex(card.agreementPublicKey));
    }
  });

  it.each(cases.map((testCase, index) => [testCase.name, testCase, index] as const))('seals byte-identically and opens like the library: %s', async (_name, testCase, index) => {
    const { libraryBytes, independentBytes } = sealBoth(testCase, index);
    expect(hex(independentBytes)).toBe(hex(libraryBytes));

    for (const recipient of testCase.to) {
      const contacts = [library[testCase.from]!.card];
      const expected = await open(libraryBytes, { identity: library[recipient]!, contacts, now: NOW + 10_000 });
      const mine = independentOpen(libraryBytes, { me: independent[recipient]!, contacts: contactsOf(testCase.from), nowMs: NOW + 10_000 });
      expect(hex(mine.plaintext)).toBe(hex(expected.plaintext));
      expect(mine.id).toBe(expected.id);
      expect(hex(mine.senderSigningKey)).toBe(hex(expected.sender.signingPublicKey));
      expect(fingerprintOf(mine.senderSigningKey)).toBe(expected.sender.fingerprint);
      expect(mine.precedence).toBe(expected.precedence);
      expect(mine.precedence).toBe(testCase.precedence);
      expect(mine.contentType).toBe(expected.contentType);
      expect(mine.padded).toBe(expected.padded);
      expect(mine.created * 1000).toBe(expected.created.getTime());
      expect(mine.expires * 1000).toBe(expected.expires.getTime());

      // Envelope size: H(n) + (bucket or unpadded inner) + 16 (§7.6, §7.8).
      const plain = typeof testCase.body === 'string' ? ascii(testCase.body) : testCase.body;
      expect(hex(mine.plaintext)).toBe(hex(plain));
      const body = (testCase.compactText && mine.contentType === 'text/plain; charset=utf-8' ? codeTextDoc(plain) : undefined) ?? plain;
      expect(hex(mine.body)).toBe(hex(body));
      const unpadded = 1 + encodeContentType(mine.contentType).length + (testCase.sender === 'keyId' ? 8 : 32) + 4 + 64 + body.length;
      expect(libraryBytes.length).toBe(headerLength(testCase.to.length) + (testCase.pad ? bucket(unpadded) : unpadded) + 16);
    }
  });

  it('verifies the signature over exactly the documented byte string (§7.7)', () => {
    for (const [index, testCase] of cases.entries()) {
      const { libraryBytes } = sealBoth(testCase, index);
      const opened = independentOpen(libraryBytes, { me: independent[testCase.to[0]!]!, contacts: contactsOf(testCase.from), nowMs: NOW + 10_000 });
      const n = testCase.to.length;
      const header = libraryBytes.subarray(0, headerLength(n));
      const domainLength = D.envelopeSignature.length;
      // The documented string, laid out field by field.
      expect(hex(opened.signed.subarray(0, domainLength))).toBe(hex(D.envelopeSignature));
      expect(hex(opened.signed.subarray(domainLength, domainLength + header.length))).toBe(hex(header));
      const afterHeader = domainLength + header.length;
      const typeLength = encodeContentType(opened.contentType).length;
      const senderAt = afterHeader + 1 + typeLength;
      expect(hex(opened.signed.subarray(senderAt, senderAt + 32))).toBe(hex(independent[testCase.from]!.signingPublicKey));
      const bodyAt = senderAt + 32 + 4;
      expect(hex(opened.signed.subarray(bodyAt))).toBe(hex(opened.body));
      expect(sodium.crypto_sign_verify_detached(opened.signature, opened.signed, opened.senderSigningKey)).toBe(true);

      // Any other reading of the document must fail to verify.
      const key = opened.senderSigningKey;
      const withoutDomain = opened.signed.subarray(domainLength);
      const withKeyIdInstead = cat(opened.signed.subarray(0, senderAt), independent[testCase.from]!.keyId, opened.signed.subarray(senderAt + 32));
      const withoutEntries = cat(opened.signed.subarray(0, domainLength + 38), opened.signed.subarray(afterHeader));
      const withPadding = cat(opened.signed, Uint8Array.of(0x80));
      for (const variant of [withoutDomain, withKeyIdInstead, withoutEntries, withPadding]) {
        expect(sodium.crypto_sign_verify_detached(opened.signature, variant, key)).toBe(false);
      }
    }
  });
});
