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
  /** A problem the suite saw in a callback (an overflow); reported by the test that owns the inbox. */
  readonly problem: string | undefined;
}

/** No case sends more than a few dozen envelopes: far more offers than this means a transport in a redelivery loop. */
const MAX_OFFERS = 5_000;

export function inbox(): Inbox {
  const offers: Offer[] = [];
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
