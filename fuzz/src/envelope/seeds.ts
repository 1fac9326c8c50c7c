import { identityFromSecrets, seal, type Card, type Identity, type RandomSource, type SealOptions } from '@herald/core';
import { decryptInner, derivedBytes, sealingContext, type SealingContext } from './crypto.js';

/** The people in the fuzzed conversations: alice seals, bob opens; carol is a co-recipient, mallory a stranger. */
export interface Cast {
  readonly alice: Identity;
  readonly bob: Identity;
  readonly carol: Identity;
  readonly mallory: Identity;
}

/** An identity whose keys follow from the run's seed. */
const derivedIdentity = (seed: number, label: string): Identity => identityFromSecrets(derivedBytes(seed, `${label}/signing`), derivedBytes(seed, `${label}/agreement`), label, 1_700_000_000);

export function cast(seed: number): Cast {
  return { alice: derivedIdentity(seed, 'Alice'), bob: derivedIdentity(seed, 'Bob'), carol: derivedIdentity(seed, 'Carol'), mallory: derivedIdentity(seed, 'Mallory') };
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

function seedOf(label: string, people: Cast, random: RandomSource, now: number, plaintext: Uint8Array | string, options: Omit<SealOptions, 'from' | 'to' | 'random' | 'now'> & { readonly to?: readonly Card[] }): Seed {
  const to = options.to ?? [people.bob.card];
  const bytes = seal(plaintext, { ...options, from: people.alice, to, random, now });
  const index = to.findIndex((card) => card === people.bob.card);
  const context = sealingContext(bytes, people.bob, index);
  const inner = decryptInner(bytes, context);
  return { label, bytes, context, inner, parts: innerParts(inner) };
}

const filled = (length: number): Uint8Array => Uint8Array.from({ length }, (_, index) => (index * 31 + 7) & 0xff);

/** Realistic v1 envelopes to bob, each shape a code path of `open`. */
export function seeds(people: Cast, seed: number, now: number): Seed[] {
  const strangers = Array.from({ length: 18 }, (_, index) => derivedIdentity(seed, `stranger ${index}`).card);
  let draws = 0;
  // Ephemeral keys and content keys from the seed too: a replay seals the same bytes (but for the times in them).
  const random: RandomSource = (length) => derivedBytes(seed, `seal ${draws++}`, length);
  return [
    seedOf('one recipient, short text, padded', people, random, now, 'hi bob', {}),
    seedOf('one recipient, binary, unpadded', people, random, now, filled(300), { pad: false }),
    seedOf('three recipients, padded text', people, random, now, 'to all three of you', { to: [people.carol.card, people.bob.card, people.mallory.card] }),
    seedOf('compact sender', people, random, now, 'key id only', { sender: 'keyId' }),
    seedOf('coded text (Morse table)', people, random, now, 'MEET AT DAWN BY THE OLD MILL', { compactText: true }),
    seedOf('coded text (ASCII table), compact sender, unpadded', people, random, now, 'Status: all stations report in by 0600. Over.', { compactText: true, sender: 'keyId', pad: false }),
    seedOf('custom content type', people, random, now, filled(40), { contentType: 'application/x-fuzz+cbor' }),
    seedOf('FLASH, short ttl', people, random, now, 'now', { precedence: 'FLASH', ttl: 60 }),
    seedOf('5 KiB body', people, random, now, filled(5 * 1024), {}),
    seedOf('twenty recipients, bob last', people, random, now, 'wide', { to: [...strangers, people.carol.card, people.bob.card] }),
    seedOf('json', people, random, now, '{"a":[1,2,3]}', { contentType: 'application/json', pad: false }),
  ];
}
