import { envelopeId, toHex, type HeraldNode, type Identity, type InboundEnvelope, type ReceivedMessage, type Transport } from '@herald/core';
import { routeOf } from './fixtures.js';
import { waitFor } from './wait.js';

/**
 * Test kit for an adapter's own integration tests, beside the compliance suite:
 * a recording `deliver` that can refuse or hang, a transport started for one
 * identity's mailbox, and the two-way exchange every adapter proves first.
 */
export interface Recorder {
  readonly deliver: (envelope: InboundEnvelope) => Promise<void>;
  readonly received: InboundEnvelope[];
  /** Distinct message ids stored. */
  readonly ids: Set<string>;
  offers: number;
  /** 'accept' stores; 'refuse' rejects (the node's store failing); 'hang' never settles. */
  mode: 'accept' | 'refuse' | 'hang';
}

export function recorder(): Recorder {
  const self: Recorder = {
    received: [],
    ids: new Set(),
    offers: 0,
    mode: 'accept',
    async deliver(inbound) {
      self.offers++;
      if (self.mode === 'refuse') throw new Error('store unavailable');
      if (self.mode === 'hang') return new Promise<void>(() => undefined);
      self.received.push(inbound);
      self.ids.add(envelopeId(inbound.bytes));
    },
  };
  return self;
}

/** Starts `subject` collecting `identity`'s mailbox into `box`, and waits until its health says up. */
export async function startedFor(subject: Transport, identity: Identity, box: Recorder = recorder(), timeoutMs = 20_000): Promise<Recorder> {
  await subject.start({ routingTags: [toHex(identity.card.routingTag)], deliver: box.deliver });
  await waitFor(`${subject.name} up`, () => subject.health().state === 'up', timeoutMs);
  return box;
}

/** Alice's transport sends `toBob`, Bob's sends `toAlice`; resolves once each arrived at the other. */
export async function exchangeBothWays(sides: { readonly a: Transport; readonly atAlice: Recorder; readonly b: Transport; readonly atBob: Recorder; readonly toBob: Uint8Array; readonly toAlice: Uint8Array }, timeoutMs = 20_000): Promise<void> {
  const { a, atAlice, b, atBob, toBob, toAlice } = sides;
  await a.send(toBob, routeOf(toBob));
  await b.send(toAlice, routeOf(toAlice));
  await waitFor('both envelopes', () => atBob.ids.has(envelopeId(toBob)) && atAlice.ids.has(envelopeId(toAlice)), timeoutMs);
}

/** A started node's messages read as an application reads them (text kept, each acked), until `stop`. */
export function applicationReader(node: HeraldNode): { readonly received: string[]; stop(): Promise<void> } {
  const received: string[] = [];
  const lifetime = new AbortController();
  const reading = (async () => {
    try {
      for await (const message of node.messages({ signal: lifetime.signal }) as AsyncIterable<ReceivedMessage>) {
        received.push(message.text);
        await message.ack();
      }
    } catch {
      // Aborted at stop.
    }
  })();
  return {
    received,
    async stop() {
      lifetime.abort();
      await node.stop();
      await reading;
    },
  };
}
