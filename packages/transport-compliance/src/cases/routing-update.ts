import { expect, it, type TestContext } from 'vitest';
import type { Transport } from '@herald/core';
import { routeOf, tagsOf } from '../fixtures.js';
import type { Session } from '../session.js';
import type { CaseContext } from './context.js';
import { rejection } from './rejection.js';

type Updatable = Transport & Required<Pick<Transport, 'updateRoutingTags'>>;

/** The transport's updateRoutingTags, or the case is skipped: without it the node stops and starts the channel instead. */
function updatable(context: TestContext, transport: Transport): Updatable {
  if (typeof transport.updateRoutingTags !== 'function') context.skip('the transport has no updateRoutingTags (the node restarts it with the new set instead)');
  return transport as Updatable;
}

/**
 * Epoch routing tags (docs/protocol.md, epoch tags): the node hands a running transport a new full set of
 * tags at each epoch boundary. Envelopes for an added tag must then reach it; a dropped tag's envelopes sent
 * after the drop must not. The stranger's tag stands in for the next epoch's.
 */
export function routingUpdateCases({ open, settings }: CaseContext): void {
  const timeout = settings.testTimeoutMs;

  /** Sends an envelope to the stranger and waits until the receiver was offered it. */
  async function expectDelivered(session: Session, what: string): Promise<void> {
    const envelope = session.envelopeFor(session.parties.stranger);
    await session.send(envelope);
    const id = routeOf(envelope).messageId;
    await session.waitFor(`an envelope for ${what} to reach the receiver`, () => session.receiverInbox.accepted(id) > 0);
  }

  it('updateRoutingTags: envelopes for an added tag are delivered; for a dropped tag, not after the drop', { timeout }, async (context) => {
    if (settings.provesMailboxes) {
      context.skip("the transport collects only mailboxes its identity proves, so it cannot take the stranger's tag (its own tests update its epoch tags)");
    }
    const session = await open(context);
    const receiver = updatable(context, session.receiver);
    const own = tagsOf(session.parties.receiver);
    const added = tagsOf(session.parties.stranger);
    await receiver.updateRoutingTags([...own, ...added], { signal: AbortSignal.timeout(settings.timeoutMs) });
    await expectDelivered(session, 'a tag added by updateRoutingTags');
    // The tags kept are still collected.
    await session.sentinel();

    await receiver.updateRoutingTags(own, { signal: AbortSignal.timeout(settings.timeoutMs) });
    const late = session.envelopeFor(session.parties.stranger);
    await session.sendToUncollected(late);
    await session.sentinel();
    await session.settle();
    expect(session.receiverInbox.offered(routeOf(late).messageId), 'offers of an envelope for a dropped tag, sent after the drop').toBe(0);

    // Added back (an epoch's tag is never reused, but a set may shrink and grow): collected again.
    await receiver.updateRoutingTags([...own, ...added], { signal: AbortSignal.timeout(settings.timeoutMs) });
    await expectDelivered(session, 'a tag added again');
  });

  it('updateRoutingTags: refused before start and after stop (CHANNEL_STOPPED), and bad tags (OptionsError)', { timeout }, async (context) => {
    const session = await open(context, { startReceiver: false });
    const receiver = updatable(context, session.receiver);
    const own = tagsOf(session.parties.receiver);
    const early = await rejection(receiver.updateRoutingTags(own), 'updateRoutingTags before start');
    expect(early.code, early.message).toBe('CHANNEL_STOPPED');
    await session.startReceiver();
    await expect(receiver.updateRoutingTags(['NOT HEX']), 'a tag that is not lowercase hex').rejects.toMatchObject({ name: 'OptionsError' });
    await session.sentinel();
    await receiver.stop();
    const late = await rejection(receiver.updateRoutingTags(own), 'updateRoutingTags after stop');
    expect(late.code, late.message).toBe('CHANNEL_STOPPED');
  });
}
