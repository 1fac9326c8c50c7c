import { OptionsError, tracked, TransportError, unlessAborted, type Route, type SendReceipt, type Transport, type TransportCapabilities, type TransportStartOptions } from '@herald/core';
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
  let state: 'created' | 'started' | 'stopped' = 'created';
  let sender: SmtpSender | undefined;
  let receiver: ImapReceiver | undefined;
  let stopping: Promise<void> | undefined;
  const sending = new Set<Promise<unknown>>();
  let detach: (() => void) | undefined;

  const aborted = (what: string): TransportError => new TransportError('ABORTED', name, `${what} aborted`);

  async function send(envelope: Uint8Array, route: Route, signal: AbortSignal | undefined): Promise<SendReceipt> {
    if (signal?.aborted) throw aborted('send');
    if (state !== 'started' || stopping) throw new TransportError('CHANNEL_STOPPED', name, state === 'created' ? 'send: not started' : 'send: stopped');
    if (!sender) throw new TransportError('CHANNEL_REJECTED', name, 'send: this channel has no SMTP server configured (receive-only)', { retryable: false });
    if (sending.size >= MAX_PENDING_SENDS) throw new TransportError('QUOTA_EXCEEDED', name, `send: ${MAX_PENDING_SENDS} sends already waiting for the SMTP server`);
    if (!(envelope instanceof Uint8Array)) throw new TransportError('CHANNEL_REJECTED', name, 'send: envelope must be a Uint8Array', { retryable: false });
    if (envelope.length > options.maxEnvelopeBytes) {
      throw new TransportError('CHANNEL_TOO_SMALL', name, `send: envelope of ${envelope.length} bytes exceeds maxEnvelopeBytes (${options.maxEnvelopeBytes})`, { retryable: false });
    }
    await sender.send(envelope, route, signal);
    const acceptedAt = Date.now();
    health.moved(acceptedAt);
    return { channel: name, acceptedAt };
  }

  async function stopNow(): Promise<void> {
    state = 'stopped';
    // Down at once, so a router stops choosing this channel while deliveries drain.
    health.stopped();
    detach?.();
    await Promise.allSettled(sending);
    sender?.stop();
    await receiver?.stop();
  }

  return {
    name,
    capabilities,
    async start(start: TransportStartOptions) {
      if (typeof start !== 'object' || start === null) throw new OptionsError('start: options are required ({ routingTags, deliver })');
      if (!Array.isArray(start.routingTags)) throw new OptionsError('start: routingTags: expected an array of hex routing tags');
      start.routingTags.forEach((tag, index) => {
        if (typeof tag !== 'string' || !TAG.test(tag)) throw new OptionsError(`start: routingTags[${index}]: expected lowercase hex, got ${JSON.stringify(tag)}`);
      });
      if (typeof start.deliver !== 'function') throw new OptionsError('start: deliver: expected a function');
      if (start.signal?.aborted) throw aborted('start');
      if (state === 'started') throw new TransportError('CHANNEL_REJECTED', name, 'start: already started', { retryable: false });
      if (state === 'stopped') throw new TransportError('CHANNEL_STOPPED', name, 'start: stopped; create a new transport to start again');
      state = 'started';
      const onAbort = (): void => void (stopping ??= stopNow()).catch(() => undefined);
      start.signal?.addEventListener('abort', onAbort, { once: true });
      detach = () => start.signal?.removeEventListener('abort', onAbort);
      // nodemailer and imapflow load here, not at import: a CLI that never uses e-mail does not pay for them.
      const [outbound, inbound] = await Promise.all([options.smtp ? import('./sender.js') : undefined, options.imap ? import('./receiver.js') : undefined]);
      // Stopped (or its start signal aborted) while the modules loaded: nothing was opened, nothing to undo.
      if (stopping) return stopping;
      if (outbound && options.smtp) {
        health.set('smtp', 'connecting');
        sender = outbound.smtpSender(options, options.smtp, health);
      }
      if (inbound && options.imap) receiver = inbound.imapReceiver(options, options.imap, health, new Set(start.routingTags), start.deliver);
      // Both first attempts finish before start resolves, so health() is accurate from then on; failures only make the channel 'down'.
      await Promise.all([sender?.start(), receiver?.start()]);
      if (stopping) await stopping;
    },
    async stop(stopOptions = {}) {
      stopping ??= stopNow();
      const { signal } = stopOptions;
      if (!signal) return stopping;
      if (signal.aborted) throw aborted('stop');
      // The signal only cuts the wait short; the transport is stopped regardless.
      await unlessAborted(stopping, signal, () => aborted('waiting for in-flight deliveries'));
    },
    send: (envelope, route, sendOptions = {}) => tracked(sending, send(envelope, route, sendOptions.signal)),
    health: () => health.current(),
    subscribe: (listener) => health.subscribe(listener),
  };
}
