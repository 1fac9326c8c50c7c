import { transportLifecycle, TransportError, unlessAborted, type Route, type SendReceipt, type Transport, type TransportCapabilities } from '@herald/core';
import { healthTracker } from './health.js';
import { resolveEmailInit, type EmailTransportInit } from './init.js';
import type { ImapReceiver } from './receiver.js';
import type { SmtpSender } from './sender.js';

const TAG = /^[0-9a-f]+$/;
/** Sends waiting on the SMTP pool at once; more are refused (retryable) rather than queued without bound. */
const MAX_PENDING_SENDS = 256;

/**
 * E-mail as a channel: envelopes go out as mail through an SMTP submission
 * server (nodemailer) and come in from an IMAP mailbox (imapflow, IDLE plus
 * polling). The mail servers hold envelopes for offline recipients, so the
 * channel is store-and-forward.
 *
 * `send` resolves when the submission server accepted the mail (its 250 reply
 * to DATA: the mail is in its queue). A received mail is deleted, flagged or
 * moved only after the node's `deliver` resolved; mail that is not a Herald
 * envelope for one of our routing tags is never touched.
 */
export function emailTransport(init: EmailTransportInit): Transport {
  const options = resolveEmailInit(init);
  const { name } = options;
  const capabilities: TransportCapabilities = Object.freeze({ maxEnvelopeBytes: options.maxEnvelopeBytes, requiresPeerOnline: false, storeAndForward: true, delivery: options.imap && options.idle ? 'push' : 'poll' });
  const health = healthTracker({ smtp: options.smtp !== undefined, imap: options.imap !== undefined });
  let sender: SmtpSender | undefined;
  let receiver: ImapReceiver | undefined;

  const lifecycle = transportLifecycle({
    channel: name,
    isRoutingTag: (tag) => TAG.test(tag),
    async open(start, signal) {
      // nodemailer and imapflow load here, not at import: a CLI that never uses e-mail does not pay for them.
      const [outbound, inbound] = await Promise.all([options.smtp ? import('./sender.js') : undefined, options.imap ? import('./receiver.js') : undefined]);
      // Stopped (or its start signal aborted) while the modules loaded: nothing was opened, nothing to undo.
      if (signal.aborted) return;
      if (outbound && options.smtp) {
        health.set('smtp', 'connecting');
        sender = outbound.smtpSender(options, options.smtp, health);
      }
      if (inbound && options.imap) receiver = inbound.imapReceiver(options, options.imap, health, start.routingTags, start.deliver);
      // Both first attempts finish before start resolves, so health() is accurate from then on; failures only make the channel 'down'.
      await Promise.all([sender?.start(), receiver?.start()]);
    },
    // Down at once, so a router stops choosing this channel while deliveries drain.
    stopped: () => health.stopped(),
    async close() {
      sender?.stop();
      await receiver?.stop();
    },
  });

  async function send(envelope: Uint8Array, route: Route, signal: AbortSignal | undefined): Promise<SendReceipt> {
    if (!sender) throw new TransportError('CHANNEL_REJECTED', name, 'send: this channel has no SMTP server configured (receive-only)', { retryable: false });
    if (lifecycle.sendsInFlight >= MAX_PENDING_SENDS) throw new TransportError('QUOTA_EXCEEDED', name, `send: ${MAX_PENDING_SENDS} sends already waiting for the SMTP server`);
    if (!(envelope instanceof Uint8Array)) throw new TransportError('CHANNEL_REJECTED', name, 'send: envelope must be a Uint8Array', { retryable: false });
    if (envelope.length > options.maxEnvelopeBytes) {
      throw new TransportError('CHANNEL_TOO_SMALL', name, `send: envelope of ${envelope.length} bytes exceeds maxEnvelopeBytes (${options.maxEnvelopeBytes})`, { retryable: false });
    }
    await sender.send(envelope, route, signal);
    const acceptedAt = Date.now();
    health.moved(acceptedAt);
    return { channel: name, acceptedAt };
  }

  return {
    name,
    capabilities,
    start: (start) => lifecycle.start(start),
    stop: (stopOptions) => lifecycle.stop(stopOptions),
    send: (envelope, route, sendOptions = {}) => lifecycle.send(sendOptions.signal, () => send(envelope, route, sendOptions.signal)),
    // Resolves once dropped tags are drained (collector.ts); a stop ends the wait (the lifecycle then rejects).
    updateRoutingTags: (routingTags, updateOptions) =>
      lifecycle.update(routingTags, updateOptions, (tags) => unlessAborted(receiver?.update(tags) ?? Promise.resolve(), lifecycle.signal, () => new TransportError('CHANNEL_STOPPED', name, 'updateRoutingTags: stopped while draining'))),
    health: () => health.current(),
    subscribe: (listener) => health.subscribe(listener),
  };
}
