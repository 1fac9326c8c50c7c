import { expect, it } from 'vitest';
import { routeOf, tagsOf } from '../fixtures.js';
import type { Session } from '../session.js';
import type { CaseContext } from './context.js';
import { rejection } from './rejection.js';

/**
 * The lifecycle every transport shares (docs/architecture.md, "Transport
 * lifecycle"): created → running → stopped for good; the start signal bounds
 * the running life; a second start is refused; nothing moves once stopped.
 */
export function lifecycleCases({ open, settings }: CaseContext): void {
  const timeout = settings.testTimeoutMs;

  /** The receiver is stopped: it says so, refuses to send, and an envelope for it reaches nobody on this side. */
  async function expectStopped(session: Session, how: string): Promise<void> {
    const { receiver } = session;
    await session.waitFor(`the receiver to report health 'down' after ${how}`, () => receiver.health().state === 'down');
    expect(receiver.health().reason, 'health reason').toBe('stopped');
    const refused = await rejection(receiver.send(session.envelopeFor(session.parties.sender), routeOf(session.envelopeFor(session.parties.sender))), `send after ${how}`);
    expect(refused.code, refused.message).toBe('CHANNEL_STOPPED');
    const envelope = session.envelopeFor(session.parties.receiver);
    await session.sendToUncollected(envelope);
    await session.settle();
    expect(session.receiverInbox.offered(routeOf(envelope).messageId), `offers to a receiver stopped by ${how}`).toBe(0);
  }

  it('refuses a second start() with ALREADY_STARTED (not retryable) and keeps working', { timeout }, async (context) => {
    const session = await open(context);
    const error = await rejection(session.receiver.start({ routingTags: tagsOf(session.parties.receiver), deliver: session.receiverInbox.deliver }), 'a second start()');
    expect(error.code, error.message).toBe('ALREADY_STARTED');
    expect(error.retryable, 'a second start is not retryable').toBe(false);
    expect(error.channel, 'error.channel').toBe(session.receiver.name);
    await session.sentinel();
  });

  it('refuses start() after stop() with CHANNEL_STOPPED, whether it had been started or not', { timeout }, async (context) => {
    const session = await open(context, { startReceiver: false });
    await session.sender.stop();
    await session.receiver.stop();
    for (const [role, transport] of [['started sender', session.sender], ['never-started receiver', session.receiver]] as const) {
      const error = await rejection(transport.start({ routingTags: tagsOf(session.parties.receiver), deliver: session.receiverInbox.deliver }), `start() of the stopped ${role}`);
      expect(error.code, error.message).toBe('CHANNEL_STOPPED');
      expect(transport.health().state, `${role} health`).toBe('down');
    }
  });

  it('refuses send() before start() with CHANNEL_STOPPED', { timeout }, async (context) => {
    const session = await open(context, { startReceiver: false });
    const envelope = session.envelopeFor(session.parties.sender);
    const error = await rejection(session.receiver.send(envelope, routeOf(envelope)), 'send() before start()');
    expect(error.code, error.message).toBe('CHANNEL_STOPPED');
    expect(error.channel, 'error.channel').toBe(session.receiver.name);
  });

  it('stops when the start signal aborts after start() resolved', { timeout }, async (context) => {
    const session = await open(context, { startReceiver: false });
    const lifetime = new AbortController();
    await session.receiver.start({ routingTags: tagsOf(session.parties.receiver), deliver: session.receiverInbox.deliver, signal: lifetime.signal });
    await session.waitFor("the receiver to report health 'up'", () => session.receiver.health().state === 'up');
    lifetime.abort();
    await expectStopped(session, 'aborting the start signal');
  });

  it('rejects start() with ABORTED and stops when the start signal aborts while start() is under way', { timeout }, async (context) => {
    const session = await open(context, { startReceiver: false });
    const lifetime = new AbortController();
    const starting = session.receiver.start({ routingTags: tagsOf(session.parties.receiver), deliver: session.receiverInbox.deliver, signal: lifetime.signal });
    lifetime.abort();
    const error = await rejection(starting, 'start() whose signal aborted during the start');
    expect(error.code, error.message).toBe('ABORTED');
    await expectStopped(session, 'aborting the start signal during start()');
  });

  it('stop() with an aborted signal rejects with ABORTED and stops the transport all the same', { timeout }, async (context) => {
    const session = await open(context);
    const error = await rejection(session.receiver.stop({ signal: AbortSignal.abort() }), 'stop() with an aborted signal');
    expect(error.code, error.message).toBe('ABORTED');
    await expectStopped(session, 'stop() with an aborted signal');
  });
}
