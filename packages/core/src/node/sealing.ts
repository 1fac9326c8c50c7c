import type { Card } from '../card.js';
import { seal } from '../envelope/seal.js';
import { sealV2, type SealV2Recipient } from '../envelope/v2/seal.js';
import type { Identity } from '../identity.js';
import type { Precedence } from '../precedence.js';
import type { PrekeyKind, SignedPrekey } from '../prekey/types.js';
import type { HeraldStore, PrekeyUse } from '../store.js';
import { choosePrekey, markUsed } from './contact-prekeys.js';
import { ONE_TIME_PER_MESSAGE, type OwnPrekeys } from './own-prekeys.js';
import type { ForwardSecrecy } from './policy.js';
import { defaultContentType, encodePrekeyed, PREKEYED_CONTENT_TYPE } from './prekey-container.js';

/** Channels at least this large carry X-Wing prekeys and entries (about 1.3 KB each); smaller ones get classical x25519. */
export const POST_QUANTUM_MIN_CHANNEL_BYTES = 16 * 1024;

/** The prekey kinds channels of these sizes can carry, preferred first. */
export function kindsFor(channelBytes: readonly number[]): PrekeyKind[] {
  // A channel that carries nothing (receive-only: 0 bytes) does not limit what is sent.
  const sending = channelBytes.filter((bytes) => bytes > 0);
  return sending.length > 0 && sending.every((bytes) => bytes >= POST_QUANTUM_MIN_CHANNEL_BYTES) ? ['xwing', 'x25519'] : ['x25519'];
}

export interface SealingContext {
  readonly identity: Identity;
  readonly store: HeraldStore;
  readonly own: OwnPrekeys;
}

export interface SealRequest {
  readonly cards: readonly Card[];
  readonly payload: Uint8Array | string;
  readonly contentType?: string;
  readonly precedence: Precedence;
  readonly ttl?: number;
  readonly pad: boolean;
  readonly compact: boolean;
  readonly mode: ForwardSecrecy;
  /** What the message's channels can carry, preferred first. */
  readonly kinds: readonly PrekeyKind[];
  readonly now: number;
}

export type SealOutcome =
  | { readonly held: false; readonly envelope: Uint8Array; readonly version: 1 | 2; readonly postQuantum: boolean; readonly prekey: PrekeyUse }
  /** `required` and some recipient's prekeys are missing: nothing sealed. */
  | { readonly held: true };

/** The body and content type with this node's prekeys piggybacked (single recipient: one-time ones too). Compact messages carry none. */
async function withOwnPrekeys(context: SealingContext, request: SealRequest): Promise<{ body: Uint8Array | string; contentType?: string }> {
  const plain = { body: request.payload, ...(request.contentType ? { contentType: request.contentType } : {}) };
  if (request.compact) return plain;
  // Sent to several recipients, one-time prekeys would be offered to all of them and could be used twice.
  const bundle = await context.own.offer(request.kinds[0] ?? 'x25519', request.cards.length === 1 ? ONE_TIME_PER_MESSAGE : 0, request.now);
  if (bundle.prekeys.length === 0) return plain;
  return { body: encodePrekeyed(bundle, request.contentType ?? defaultContentType(request.payload), request.payload), contentType: PREKEYED_CONTENT_TYPE };
}

/**
 * Seals one outgoing message per the forward-secrecy mode: version 2 when a
 * usable prekey is held for every recipient (a one-time one first, marked used
 * durably before sealing, so it is never used twice, even across a restart),
 * else version 1 (`preferred`, `off`) or nothing (`required`).
 */
export async function sealMessage(context: SealingContext, request: SealRequest): Promise<SealOutcome> {
  const ttl = request.ttl ?? 24 * 3600;
  const expiresSeconds = Math.floor(request.now / 1000) + ttl;
  const common = {
    from: context.identity,
    precedence: request.precedence,
    ttl,
    now: request.now,
    pad: request.pad,
    ...(request.compact ? { sender: 'keyId' as const, compactText: true } : {}),
  };
  const optionsFor = (content: { body: Uint8Array | string; contentType?: string }) => ({ ...common, ...(content.contentType ? { contentType: content.contentType } : {}) });
  if (request.mode !== 'off') {
    // No lock: each one-time prekey is taken in an atomic store update, so concurrent sends (sharing group commits) never
    // take the same one.
    const sealed = await (async () => {
      const chosen: SealV2Recipient[] = [];
      // Every recipient must have a prekey before any one-time prekey is taken.
      for (const card of request.cards) if (!choosePrekey(await context.store.getContactPrekeys(card.fingerprint), card, request.now, expiresSeconds, request.kinds)) return undefined;
      for (const card of request.cards) {
        let prekey: SignedPrekey | undefined;
        // Chosen and marked used in one atomic update, durable before the envelope exists: a crash after it wastes the
        // prekey, it never reuses it, and no other writer on the same store can take it too.
        await context.store.updateContactPrekeys(card.fingerprint, (current) => {
          prekey = choosePrekey(current, card, request.now, expiresSeconds, request.kinds);
          return prekey?.oneTime && current ? markUsed(current, prekey) : undefined;
        });
        if (!prekey) return undefined;
        chosen.push({ card, prekey });
      }
      const content = await withOwnPrekeys(context, request);
      return { envelope: sealV2(content.body, { ...optionsFor(content), to: chosen }), chosen };
    })();
    if (sealed) {
      return {
        held: false,
        envelope: sealed.envelope,
        version: 2,
        postQuantum: sealed.chosen.every(({ prekey }) => prekey.kind === 'xwing'),
        prekey: sealed.chosen.every(({ prekey }) => prekey.oneTime) ? 'one-time' : 'medium-term',
      };
    }
    if (request.mode === 'required') return { held: true };
  }
  const content = await withOwnPrekeys(context, request);
  return { held: false, envelope: seal(content.body, { ...optionsFor(content), to: request.cards }), version: 1, postQuantum: false, prekey: null };
}
