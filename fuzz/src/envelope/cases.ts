import { memorySeenSet, type Card, type OpenOptions, type SeenSet } from '@herald/core';
import { mutate, setByte } from '../mutate.js';
import type { Prng } from '../prng.js';
import { concat, sealInner, signInner } from './crypto.js';
import type { Cast, InnerParts, Seed } from './seeds.js';

/** Where a case was altered: the bytes on the wire, the decrypted inner part, or one field of it re-signed by the sender. */
export type Layer = 'outer' | 'inner' | 'signed';

export interface FuzzCase {
  readonly layer: Layer;
  readonly bytes: Uint8Array;
  readonly options: OpenOptions;
}

const EDGE_SECONDS = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff] as const;

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

/** A time in seconds near now, or at an edge of the u32 range. */
function seconds(random: Prng, nowSeconds: number): number {
  if (random.chance(0.3)) return random.pick(EDGE_SECONDS);
  const spans = [60, 3600, 86_400, 400 * 86_400, 500 * 86_400];
  return Math.max(0, nowSeconds + (random.chance(0.5) ? 1 : -1) * random.below(random.pick(spans)));
}

function contentTypeBytes(random: Prng): Uint8Array {
  const text = new TextEncoder().encode(random.pick(['text/plain; charset=utf-8', 'application/json', 'x/y', 'a'.repeat(255), '']));
  return random.pick([
    Uint8Array.of(random.below(8)),
    Uint8Array.of(0xff, text.length & 0xff, ...text),
    Uint8Array.of(0xff, random.next() & 0xff, ...random.bytes(random.below(8))),
    Uint8Array.of(0xff, 2, 0xc3, 0x28),
    new Uint8Array(0),
  ]);
}

function senderField(random: Prng, people: Cast, parts: InnerParts): Uint8Array {
  return random.pick([people.alice.card.keyId, people.alice.card.signingPublicKey, people.carol.card.keyId, people.carol.card.signingPublicKey, random.bytes(random.pick([0, 8, 31, 32, 33])), mutate(parts.senderField, random).bytes]);
}

/** ISO 7816-4 padding to a 256-byte multiple, sometimes broken. */
function padding(random: Prng, length: number): Uint8Array {
  const size = 256 - (length % 256) || 256;
  const out = new Uint8Array(random.chance(0.1) ? random.below(size + 1) : size);
  if (out.length > 0) out[0] = 0x80;
  if (random.chance(0.2) && out.length > 0) out[random.below(out.length)] = random.next() & 0xff;
  return out;
}

/** One field of the seed's inner part changed, then signed again by alice and sealed again for bob. */
function resigned(seed: Seed, random: Prng, people: Cast, nowSeconds: number): Uint8Array {
  const parts = seed.parts;
  let header = seed.context.header;
  let meta = parts.meta;
  let type = parts.contentType;
  let sender = parts.senderField;
  let created = parts.created;
  let body = parts.body;
  let padded = parts.padded;
  const field = random.below(8);
  if (field === 0) meta = random.chance(0.5) ? meta ^ (1 << random.below(8)) : random.next() & 0xff;
  else if (field === 1) type = contentTypeBytes(random);
  else if (field === 2) sender = senderField(random, people, parts);
  else if (field === 3) created = u32(seconds(random, nowSeconds));
  else if (field === 4) body = mutate(body, random).bytes;
  else if (field === 5) padded = !padded;
  else if (field === 6) header = concat([header.subarray(0, 1), u32(seconds(random, nowSeconds)), header.subarray(5)]);
  else {
    // Text in a compact coding: the coded body is the one parser behind the signature.
    meta |= 0x10;
    type = Uint8Array.of(0x01);
    body = random.chance(0.5) ? mutate(body, random).bytes : random.bytes(random.below(random.chance(0.9) ? 64 : 4096));
    // Mostly one of the tables (Morse 1, ASCII 2, lower-case Morse 3) so the number itself gets decoded.
    if (body.length > 0 && random.chance(0.7)) body[0] = 1 + random.below(3);
  }
  let signature = signInner(people.alice, header, meta, type, created, body);
  if (random.chance(0.05)) signature = mutate(signature, random).bytes;
  const unpadded = concat([Uint8Array.of(meta & 0xff), type, sender, created, signature, body]);
  return sealInner(padded ? concat([unpadded, padding(random, unpadded.length)]) : unpadded, seed.context, header);
}

/** The options `open` gets: mostly bob's usual ones, sometimes a stranger, strict senders, replay sets or odd clocks. */
function openOptions(random: Prng, people: Cast, seen: SeenSet, nowMs: number): OpenOptions {
  const contacts: Card[] | undefined = random.chance(0.6) ? [people.alice.card] : random.chance(0.5) ? [people.carol.card] : undefined;
  return {
    identity: random.chance(0.97) ? people.bob : random.pick([people.mallory, people.carol]),
    ...(contacts === undefined ? {} : { contacts, requireKnownSender: random.chance(0.1) }),
    ...(random.chance(0.3) ? { seen } : {}),
    now: random.chance(0.9) ? nowMs : random.pick(EDGE_SECONDS) * 1000,
    ...(random.chance(0.05) ? { maxEnvelopeBytes: 1 + random.below(2048), maxClockSkewSeconds: random.below(1000) } : {}),
  };
}

/** Builds cases from seeds; one replay set at a time, renewed before it could fill up. */
export class CaseMaker {
  private seen = memorySeenSet({ maxEntries: 20_000 });
  private made = 0;
  private readonly donors: Uint8Array[];

  /** `nowMs` is the clock of every case (the seeds' creation time too), so that a replay meets the same time relations. */
  constructor(private readonly seedList: readonly Seed[], private readonly people: Cast, private readonly nowMs: number) {
    this.donors = seedList.map((seed) => seed.bytes);
  }

  next(random: Prng): FuzzCase {
    if (++this.made % 10_000 === 0) this.seen = memorySeenSet({ maxEntries: 20_000 });
    const seed = random.pick(this.seedList);
    const nowMs = this.nowMs;
    const options = openOptions(random, this.people, this.seen, nowMs);
    const roll = random.below(100);
    if (roll < 45) return { layer: 'outer', bytes: mutate(seed.bytes, random, this.donors).bytes, options };
    if (roll < 50) return { layer: 'outer', bytes: setByte(seed.bytes, 37, random), options };
    if (roll < 70) return { layer: 'inner', bytes: sealInner(mutate(seed.inner, random).bytes, seed.context), options };
    return { layer: 'signed', bytes: resigned(seed, random, this.people, Math.floor(nowMs / 1000)), options };
  }

  /** Whether `bytes` is one of the seeds unchanged (opening it is then expected). */
  isSeed(bytes: Uint8Array): boolean {
    return this.donors.some((donor) => donor.length === bytes.length && Buffer.compare(donor, bytes) === 0);
  }
}
