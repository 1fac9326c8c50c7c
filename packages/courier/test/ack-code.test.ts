import { describe, expect, it } from 'vitest';
import { generateIdentity, seal, envelopeId } from '@herald/core';
import { ackCodeAsRecipient, ackCodeAsSender, ackCodesEqual, CourierError, formatAckCode, normalizeAckCode } from '../src/index.js';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const mallory = generateIdentity({ label: 'Mallory' });

describe('short ack codes', () => {
  const id = envelopeId(seal('hello', { from: alice, to: bob.card }));

  it('the recipient and the sender compute the same ten letters', () => {
    const code = ackCodeAsRecipient(bob, alice.card, id);
    expect(code).toMatch(/^[A-Z]{10}$/);
    expect(ackCodeAsSender(alice, bob.card, id)).toBe(code);
    expect(ackCodesEqual(normalizeAckCode(` ${formatAckCode(code).toLowerCase()} `), code)).toBe(true);
  });

  it('differs per message, per pair and per direction; a third party cannot compute it', () => {
    const code = ackCodeAsRecipient(bob, alice.card, id);
    const other = envelopeId(seal('again', { from: alice, to: bob.card }));
    expect(ackCodeAsRecipient(bob, alice.card, other)).not.toBe(code);
    expect(ackCodeAsRecipient(mallory, alice.card, id)).not.toBe(code);
    expect(ackCodeAsSender(mallory, bob.card, id)).not.toBe(code);
    // Reflection: Alice acknowledging a message with the same id from Bob gets another code.
    expect(ackCodeAsRecipient(alice, bob.card, id)).not.toBe(code);
  });

  it('refuses codes that are not ten letters', () => {
    for (const typed of ['ABCDE', 'ABCDE FGHI1', 'ABCDEFGHIJK', '']) {
      expect(() => normalizeAckCode(typed)).toThrow(CourierError);
    }
  });
});
