import { expect, it } from 'vitest';
import { routeOf, sealedOfSize, tagsOf } from '../fixtures.js';
import { rejection } from './rejection.js';
import type { CaseContext } from './context.js';

/** Refuses to build a multi-gigabyte envelope; above this the oversize case pads a real envelope instead. */
const MAX_SEALED_BYTES = 64 * 1024 * 1024;

export function refusalCases({ open, settings }: CaseContext): void {
  const timeout = settings.testTimeoutMs;

  it('refuses an envelope larger than maxEnvelopeBytes (CHANNEL_TOO_SMALL or CHANNEL_REJECTED, not retryable) and never delivers it', { timeout }, async (context) => {
    const session = await open(context);
    const limit = session.sender.capabilities.maxEnvelopeBytes;
    const { sender, receiver } = session.parties;
    let envelope = limit + 1 <= MAX_SEALED_BYTES ? sealedOfSize(sender, receiver, limit + 1) : undefined;
    if (!envelope) {
      // A real envelope (real routing tag) with trailing bytes: as opaque to the transport as any other.
      const small = session.envelopeFor(receiver);
      envelope = new Uint8Array(Math.max(limit + 1, small.length));
      envelope.set(small);
    }
    const error = await rejection(session.send(envelope), 'sending an oversize envelope');
    expect(['CHANNEL_TOO_SMALL', 'CHANNEL_REJECTED'], `code of ${error.message}`).toContain(error.code);
    expect(error.retryable, 'an oversize envelope is not retryable').toBe(false);
    expect(error.channel, 'error.channel').toBe(session.sender.name);
    await session.sentinel();
    await session.settle();
    expect(session.receiverInbox.offered(routeOf(envelope).messageId), 'offers of the oversize envelope').toBe(0);
  });

  it('rejects a send whose signal is already aborted with ABORTED, and delivers nothing', { timeout }, async (context) => {
    const session = await open(context);
    const envelope = session.envelopeFor(session.parties.receiver);
    const error = await rejection(session.send(envelope, AbortSignal.abort()), 'sending with an aborted signal');
    expect(error.code, error.message).toBe('ABORTED');
    await session.sentinel();
    await session.settle();
    expect(session.receiverInbox.offered(routeOf(envelope).messageId), 'offers of the aborted envelope').toBe(0);
  });

  it('rejects send after stop() with CHANNEL_STOPPED', { timeout }, async (context) => {
    const session = await open(context);
    await session.sender.stop();
    const error = await rejection(session.send(session.envelopeFor(session.parties.receiver)), 'sending after stop()');
    expect(error.code, error.message).toBe('CHANNEL_STOPPED');
    expect(error.channel, 'error.channel').toBe(session.sender.name);
  });

  it('stop() is idempotent, called twice in a row and twice at once', { timeout }, async (context) => {
    const session = await open(context);
    await session.sender.stop();
    await session.sender.stop();
    await Promise.all([session.receiver.stop(), session.receiver.stop()]);
    expect(session.sender.health().state, 'sender after stop()').toBe('down');
    expect(session.receiver.health().state, 'receiver after stop()').toBe('down');
  });

  it('rejects start() whose signal is already aborted with ABORTED', { timeout }, async (context) => {
    const session = await open(context, { startReceiver: false });
    const offers: unknown[] = [];
    const error = await rejection(
      session.receiver.start({ routingTags: tagsOf(session.parties.receiver), deliver: async (envelope) => void offers.push(envelope), signal: AbortSignal.abort() }),
      'starting with an aborted signal',
    );
    expect(error.code, error.message).toBe('ABORTED');
    await session.sendToUncollected(session.envelopeFor(session.parties.receiver));
    await session.settle();
    expect(offers, 'deliveries to a transport whose start was aborted').toEqual([]);
  });
}
