import type { NodeClock } from './clock.js';
import { parseCard, type Card } from '../card.js';
import { envelopeExpiry, envelopeId, envelopeRoutingTags } from '../envelope/inspect.js';
import type { Precedence } from '../precedence.js';
import type { HeraldStore } from '../store.js';
import type { Channel } from './channel.js';
import type { NodePrekeys } from './forward-secrecy.js';
import { isForbidden, type ResolvedPolicy } from './policy.js';
import type { OutboxRecords } from './records.js';
import { kindsFor, sealMessage, type SealOutcome } from './sealing.js';
import type { StatusBoard } from './status.js';

/**
 * Sealing for the outbox: which prekey kinds the allowed channels carry, the
 * record fields of a sealed message, and messages held (forward secrecy
 * `required`) until every recipient's prekeys arrive.
 */
export interface OutboxSealing {
  /** The prekey kinds, best first, that every channel allowed for these recipients and precedence can carry. */
  kinds(cards: readonly Card[], precedence: Precedence): ReturnType<typeof kindsFor>;
  /** The names of the channels allowed for these recipients and precedence. */
  allowed(cards: readonly Card[], precedence: Precedence): string[];
  /** Seals a held message if every recipient's prekeys are now there; it then goes out as any other (`queued`). */
  sealHeld(id: string): Promise<void>;
  /** Seals every held message to `fingerprint` (its prekeys just arrived). */
  sealHeldFor(fingerprint: string): Promise<void>;
}

export function sealedFields(outcome: Extract<SealOutcome, { held: false }>) {
  return { envelope: outcome.envelope, routingTags: envelopeRoutingTags(outcome.envelope), expiresAt: envelopeExpiry(outcome.envelope), envelopeVersion: outcome.version, postQuantum: outcome.postQuantum, prekey: outcome.prekey };
}

export function outboxSealing(deps: { store: HeraldStore; records: OutboxRecords; policy: ResolvedPolicy; channels: readonly Channel[]; prekeys: NodePrekeys; status: StatusBoard; outboxIdOf: Map<string, string>; clock: NodeClock }): OutboxSealing {
  const { records, policy } = deps;
  // Two bundles arriving together must not seal one message twice (each would take a one-time prekey).
  const sealing = new Set<string>();

  const allowedChannels = (cards: readonly Card[], precedence: Precedence): Channel[] =>
    deps.channels.filter((channel) => !isForbidden(policy, channel.name, precedence, cards.map((card) => card.fingerprint)));

  function kinds(cards: readonly Card[], precedence: Precedence): ReturnType<typeof kindsFor> {
    return kindsFor(allowedChannels(cards, precedence).map((channel) => channel.transport.capabilities.maxEnvelopeBytes));
  }

  async function sealOnce(id: string): Promise<void> {
    const record = records.get(id) ?? (await deps.store.getOutbox(id));
    const held = record?.held;
    if (!record || !held || record.status !== 'awaiting-prekeys') return;
    const cards = held.cards.map((text) => parseCard(text));
    const now = deps.clock.now();
    const ttl = Math.floor((record.expiresAt - now) / 1000);
    if (ttl < 1) return;
    const request = { cards, payload: held.payload, contentType: held.contentType, precedence: record.precedence, ttl, pad: held.compact ? false : policy.pad, compact: held.compact, mode: 'required' as const, kinds: kinds(cards, record.precedence), now };
    const outcome = await sealMessage(deps.prekeys.sealing, request);
    if (outcome.held) return;
    const sealedId = envelopeId(outcome.envelope);
    deps.outboxIdOf.set(sealedId, id);
    const at = Date.now();
    const updated = await records.update(id, (current) => {
      if (current.status !== 'awaiting-prekeys') return undefined;
      const { held: _held, ...rest } = current;
      return { ...rest, ...sealedFields(outcome), envelopeId: sealedId, status: 'queued', updatedAt: at };
    });
    if (updated?.status === 'queued') deps.status.announce({ id, status: 'queued', at });
  }

  async function sealHeld(id: string): Promise<void> {
    if (sealing.has(id)) return;
    sealing.add(id);
    try {
      await sealOnce(id);
    } finally {
      sealing.delete(id);
    }
  }

  return {
    kinds,
    allowed: (cards, precedence) => allowedChannels(cards, precedence).map((channel) => channel.name),
    sealHeld,
    async sealHeldFor(fingerprint) {
      for (const record of await deps.store.listOutbox()) {
        if (record.status === 'awaiting-prekeys' && record.recipients.includes(fingerprint)) await sealHeld(record.id);
      }
    },
  };
}
