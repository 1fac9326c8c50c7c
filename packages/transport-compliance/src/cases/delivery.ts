import { expect, it } from 'vitest';
import { bytesEqual, routeOf, sealedOfSize } from '../fixtures.js';
import type { Session } from '../session.js';
import type { CaseContext } from './context.js';

/** Largest envelope the suite builds for the at-the-limit case; beyond it the case is skipped as too costly. */
const MAX_BUILT_BYTES = 64 * 1024 * 1024;

/** `envelope` reached the receiver exactly once, byte-identical, named after the receiving channel, and never the sender. */
async function expectDeliveredOnce(session: Session, envelope: Uint8Array): Promise<void> {
  const id = routeOf(envelope).messageId;
  await session.waitFor(`envelope ${id} to reach the receiver`, () => session.receiverInbox.accepted(id) > 0);
  await session.settle();
  const offers = session.receiverInbox.offers.filter((offer) => offer.id === id);
  expect(offers.length, `offers of ${id} to the receiver (exactly once)`).toBe(1);
  const inbound = offers[0]!.envelope;
  expect(inbound.bytes instanceof Uint8Array, 'inbound bytes are a Uint8Array').toBe(true);
  expect(bytesEqual(inbound.bytes, envelope), 'inbound bytes are identical to the sent ones').toBe(true);
  expect(inbound.channel, 'inbound.channel names the receiving channel').toBe(session.receiver.name);
  expect(Number.isFinite(inbound.receivedAt) && inbound.receivedAt <= Date.now(), 'inbound.receivedAt is a past time in ms').toBe(true);
  expect(session.senderInbox.offered(id), 'offers to the sender, who is not a recipient').toBe(0);
}

export function deliveryCases({ open, settings }: CaseContext): void {
  const timeout = settings.testTimeoutMs;

  it('send resolves with a receipt naming the channel, and lastSuccess moves', { timeout }, async (context) => {
    const session = await open(context);
    const before = Date.now();
    const receipt = await session.send(session.envelopeFor(session.parties.receiver));
    const after = Date.now();
    expect(receipt.channel, 'receipt.channel').toBe(session.sender.name);
    expect(receipt.acceptedAt, 'receipt.acceptedAt is during the send').toBeGreaterThanOrEqual(before);
    expect(receipt.acceptedAt, 'receipt.acceptedAt is during the send').toBeLessThanOrEqual(after);
    expect(session.sender.health().lastSuccess, 'sender health().lastSuccess after an accepted send').toBeGreaterThanOrEqual(before);
  });

  it("delivers an envelope for the receiver's routing tag byte-identical, exactly once, with the channel name", { timeout }, async (context) => {
    const session = await open(context);
    const envelope = session.envelopeFor(session.parties.receiver);
    await session.send(envelope);
    await expectDeliveredOnce(session, envelope);
  });

  it('does not deliver envelopes for another routing tag to the receiver (nor to the sender)', { timeout }, async (context) => {
    const session = await open(context);
    const foreign = session.envelopeFor(session.parties.stranger);
    await session.sendToUncollected(foreign);
    await session.sentinel();
    await session.settle();
    const id = routeOf(foreign).messageId;
    expect(session.receiverInbox.offered(id), 'offers of a stranger’s envelope to the receiver').toBe(0);
    expect(session.senderInbox.offered(id), 'offers of a stranger’s envelope to the sender').toBe(0);
  });

  it('delivers an envelope for several recipients once to the receiver, whatever its place in the list', { timeout }, async (context) => {
    const session = await open(context);
    const envelope = session.envelopeFor(session.parties.stranger, session.parties.receiver);
    // Refused as unreachable only for the stranger's part: the receiver still gets it once.
    await session.sendToUncollected(envelope);
    await expectDeliveredOnce(session, envelope);
  });

  it(`delivers ${settings.concurrentSends} envelopes sent concurrently, each exactly once`, { timeout }, async (context) => {
    const session = await open(context);
    const envelopes = Array.from({ length: settings.concurrentSends }, () => session.envelopeFor(session.parties.receiver));
    const receipts = await Promise.all(envelopes.map((envelope) => session.send(envelope)));
    expect(receipts.every((receipt) => receipt.channel === session.sender.name), 'every receipt names the channel').toBe(true);
    const ids = envelopes.map((envelope) => routeOf(envelope).messageId);
    await session.waitFor(`all ${ids.length} envelopes to arrive`, () => ids.every((id) => session.receiverInbox.accepted(id) > 0));
    await session.settle();
    const counts = ids.map((id) => session.receiverInbox.offered(id));
    expect(counts.filter((count) => count !== 1), 'envelopes offered other than exactly once').toEqual([]);
    envelopes.forEach((envelope, index) => {
      const offer = session.receiverInbox.offers.find((candidate) => candidate.id === ids[index]);
      expect(offer && bytesEqual(offer.envelope.bytes, envelope), `envelope ${index} arrives byte-identical`).toBe(true);
    });
  });

  it('carries an envelope of exactly maxEnvelopeBytes', { timeout }, async (context) => {
    const session = await open(context);
    const limit = Math.min(session.sender.capabilities.maxEnvelopeBytes, session.receiver.capabilities.maxEnvelopeBytes);
    if (limit > MAX_BUILT_BYTES) context.skip(`maxEnvelopeBytes of ${limit} is too large to build in a test; configure a smaller limit in the harness`);
    const envelope = sealedOfSize(session.parties.sender, session.parties.receiver, limit);
    if (!envelope) return context.skip(`maxEnvelopeBytes of ${limit} is smaller than any envelope`);
    expect(envelope.length).toBe(limit);
    await session.send(envelope);
    await expectDeliveredOnce(session, envelope);
  });
}
