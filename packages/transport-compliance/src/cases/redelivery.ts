import { expect, it } from 'vitest';
import { bytesEqual, routeOf } from '../fixtures.js';
import type { CaseContext } from './context.js';

export function redeliveryCases({ open, settings }: CaseContext): void {
  const timeout = settings.testTimeoutMs;

  it('delivers an envelope sent while the receiver was stopped once it starts again (storeAndForward)', { timeout }, async (context) => {
    const session = await open(context);
    if (!session.sender.capabilities.storeAndForward) return context.skip('capabilities.storeAndForward is false');
    // Started once, then stopped: brokers with sessions only hold messages for subscribers they already know.
    await session.receiver.stop();
    const envelope = session.envelopeFor(session.parties.receiver);
    await session.send(envelope);
    await session.settle();
    expect(session.receiverInbox.offers, 'offers to a stopped receiver').toEqual([]);
    await session.restartReceiver();
    const id = routeOf(envelope).messageId;
    await session.waitFor('the envelope held for the stopped receiver to arrive after it starts', () => session.receiverInbox.accepted(id) > 0);
    await session.settle();
    expect(session.receiverInbox.offered(id), 'offers after the restart (exactly once)').toBe(1);
  });

  it('offers an envelope again when deliver rejects, and not again once deliver resolves', { timeout }, async (context) => {
    const session = await open(context);
    session.receiverInbox.decide = ({ attempt }) => (attempt === 1 ? 'reject' : 'accept');
    const envelope = session.envelopeFor(session.parties.receiver);
    await session.send(envelope);
    const id = routeOf(envelope).messageId;
    await session.waitFor('the refused envelope to be offered again', () => session.receiverInbox.accepted(id) > 0);
    await session.settle();
    const offers = session.receiverInbox.offers.filter((offer) => offer.id === id);
    expect(offers.map((offer) => offer.accepted), 'offers: refused once, then accepted, then never again').toEqual([false, true]);
    expect(bytesEqual(offers[1]!.envelope.bytes, envelope), 'the second offer is byte-identical').toBe(true);
  });

  it('does not offer an accepted envelope again after the receiver restarts', { timeout }, async (context) => {
    const session = await open(context);
    const envelope = session.envelopeFor(session.parties.receiver);
    await session.send(envelope);
    const id = routeOf(envelope).messageId;
    await session.waitFor('the envelope to be accepted', () => session.receiverInbox.accepted(id) > 0);
    await session.restartReceiver();
    await session.sentinel();
    await session.settle();
    expect(session.receiverInbox.offered(id), 'offers of the accepted envelope after the restart').toBe(0);
  });

  it('does not lose an envelope whose deliver was refused when the receiver restarts', { timeout }, async (context) => {
    const session = await open(context);
    if (!session.sender.capabilities.storeAndForward) return context.skip('capabilities.storeAndForward is false');
    session.receiverInbox.decide = () => 'reject';
    const envelope = session.envelopeFor(session.parties.receiver);
    await session.send(envelope);
    const id = routeOf(envelope).messageId;
    await session.waitFor('the envelope to be offered (and refused)', () => session.receiverInbox.offered(id) > 0);
    await session.restartReceiver();
    await session.waitFor('the refused envelope to be offered to the restarted receiver', () => session.receiverInbox.accepted(id) > 0);
  });
}
