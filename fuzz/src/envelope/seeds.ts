import { generateIdentity, seal, type Card, type Identity, type SealOptions } from '@herald/core';
import { decryptInner, sealingContext, type SealingContext } from './crypto.js';

/** The people in the fuzzed conversations: alice seals, bob opens; carol is a co-recipient, mallory a stranger. */
export interface Cast {
  readonly alice: Identity;
  readonly bob: Identity;
  readonly carol: Identity;
  readonly mallory: Identity;
}

export function cast(): Cast {
  return { alice: generateIdentity({ label: 'Alice' }), bob: generateIdentity({ label: 'Bob' }), carol: generateIdentity({ label: 'Carol' }), mallory: generateIdentity({ label: 'Mallory' }) };
}

/** The inner part of a seed split into its fields, so a mutation can change one and re-sign. */
export interface InnerParts {
  readonly meta: number;
  readonly contentType: Uint8Array;
  readonly senderField: Uint8Array;
  readonly created: Uint8Array;
  readonly body: Uint8Array;
  readonly padded: boolean;
}

export interface Seed {
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly context: SealingContext;
  readonly inner: Uint8Array;
  readonly parts: InnerParts;
}

const META_PADDED = 0x04;
const META_SENDER_KEY_ID = 0x08;

function innerParts(inner: Uint8Array): InnerParts {
  const meta = inner[0]!;
  const typeLength = inner[1] === 0xff ? 2 + inner[2]! : 1;
  const senderAt = 1 + typeLength;
  const createdAt = senderAt + (meta & META_SENDER_KEY_ID ? 8 : 32);
  const bodyAt = createdAt + 4 + 64;
  const padded = (meta & META_PADDED) !== 0;
  const bodyEnd = padded ? inner.lastIndexOf(0x80) : inner.length;
  return { meta, contentType: inner.slice(1, senderAt), senderField: inner.slice(senderAt, createdAt), created: inner.slice(createdAt, createdAt + 4), body: inner.slice(bodyAt, bodyEnd), padded };
}

function seedOf(label: string, people: Cast, plaintext: Uint8Array | string, options: Omit<SealOptions, 'from' | 'to'> & { readonly to?: readonly Card[] }): Seed {
  const to = options.to ?? [people.bob.card];
  const bytes = seal(plaintext, { ...options, from: people.alice, to });
  const index = to.findIndex((card) => card === people.bob.card);
  const context = sealingContext(bytes, people.bob, index);
  const inner = decryptInner(bytes, context);
  return { label, bytes, context, inner, parts: innerParts(inner) };
}

const filled = (length: number): Uint8Array => Uint8Array.from({ length }, (_, index) => (index * 31 + 7) & 0xff);

/** Realistic v1 envelopes to bob, each shape a code path of `open`. */
export function seeds(people: Cast): Seed[] {
  const strangers = Array.from({ length: 18 }, () => generateIdentity().card);
  return [
    seedOf('one recipient, short text, padded', people, 'hi bob', {}),
    seedOf('one recipient, binary, unpadded', people, filled(300), { pad: false }),
    seedOf('three recipients, padded text', people, 'to all three of you', { to: [people.carol.card, people.bob.card, people.mallory.card] }),
    seedOf('compact sender', people, 'key id only', { sender: 'keyId' }),
    seedOf('coded text (Morse table)', people, 'MEET AT DAWN BY THE OLD MILL', { compactText: true }),
    seedOf('coded text (ASCII table), compact sender, unpadded', people, 'Status: all stations report in by 0600. Over.', { compactText: true, sender: 'keyId', pad: false }),
    seedOf('custom content type', people, filled(40), { contentType: 'application/x-fuzz+cbor' }),
    seedOf('FLASH, short ttl', people, 'now', { precedence: 'FLASH', ttl: 60 }),
    seedOf('5 KiB body', people, filled(5 * 1024), {}),
    seedOf('twenty recipients, bob last', people, 'wide', { to: [...strangers, people.carol.card, people.bob.card] }),
    seedOf('json', people, '{"a":[1,2,3]}', { contentType: 'application/json', pad: false }),
  ];
}
