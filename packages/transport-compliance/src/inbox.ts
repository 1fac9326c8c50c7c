import { envelopeId, type InboundEnvelope } from '@herald/core';

/** What the suite's `deliver` saw: every offer, and whether it was accepted. */
export interface Offer {
  readonly envelope: InboundEnvelope;
  /** The envelope's message id, or `unparsable` when the bytes are no longer an envelope. */
  readonly id: string;
  readonly accepted: boolean;
}

/** A `deliver` callback that records offers and answers as `decide` says ('accept' resolves, 'reject' rejects). */
export interface Inbox {
  readonly deliver: (envelope: InboundEnvelope) => Promise<void>;
  readonly offers: readonly Offer[];
  decide: (offer: { id: string; attempt: number }) => 'accept' | 'reject';
  /** Offers of `id`, accepted or not. */
  offered(id: string): number;
  /** Offers of `id` that were accepted. */
  accepted(id: string): number;
  /** A problem the suite saw in a callback (an overflow, a `receivedAt` not from the local clock); reported by the test that owns the inbox. */
  readonly problem: string | undefined;
}

/** No case sends more than a few dozen envelopes: far more offers than this means a transport in a redelivery loop. */
const MAX_OFFERS = 5_000;
/** Tolerance for `receivedAt` around this machine's clock: the suite and the transport read the same clock. */
const CLOCK_SLACK_MS = 1_000;

/**
 * Why `receivedAt` cannot have come from the local clock at reception, if it cannot: the node opens each envelope
 * as of it (threat model section 5), so a time taken from the message or the carrier would let a sender or a
 * carrier decide what has expired. Every envelope of a session is sent after its inbox exists.
 */
function receivedAtProblem(receivedAt: unknown, inboxCreatedAt: number): string | undefined {
  const now = Date.now();
  if (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt)) return `receivedAt is ${String(receivedAt)}, not ms since the epoch`;
  if (receivedAt < inboxCreatedAt - CLOCK_SLACK_MS || receivedAt > now + CLOCK_SLACK_MS) {
    return `receivedAt ${new Date(receivedAt).toISOString()} is not a time of reception on this machine's clock (between ${new Date(inboxCreatedAt).toISOString()} and ${new Date(now).toISOString()})`;
  }
  return undefined;
}

export function inbox(): Inbox {
  const offers: Offer[] = [];
  const createdAt = Date.now();
  let problem: string | undefined;
  const count = (id: string, onlyAccepted: boolean): number => offers.filter((offer) => offer.id === id && (!onlyAccepted || offer.accepted)).length;
  const self: Inbox = {
    offers,
    decide: () => 'accept',
    offered: (id) => count(id, false),
    accepted: (id) => count(id, true),
    get problem() {
      return problem;
    },
    async deliver(envelope) {
      if (offers.length >= MAX_OFFERS) {
        problem = `more than ${MAX_OFFERS} offers: the transport is redelivering in a loop`;
        throw new Error(problem);
      }
      problem ??= receivedAtProblem(envelope.receivedAt, createdAt);
      let id = 'unparsable';
      try {
        id = envelopeId(envelope.bytes);
      } catch {
        // Recorded as unparsable: the byte-identity checks will then fail with a clear message.
      }
      const decision = self.decide({ id, attempt: count(id, false) + 1 });
      offers.push({ envelope, id, accepted: decision === 'accept' });
      if (decision === 'reject') throw new Error('compliance suite: refusing this offer on purpose (store unavailable)');
    },
  };
  return self;
}
