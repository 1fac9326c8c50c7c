import { expect, type TestContext } from 'vitest';
import { TransportError, type Identity, type SendReceipt, type Transport } from '@herald/core';
import { makeParties, routeOf, sealedFor, tagsOf, type Parties } from './fixtures.js';
import type { ComplianceHarness, ComplianceSetupContext } from './harness.js';
import type { ResolvedComplianceOptions } from './options.js';
import { inbox, type Inbox } from './inbox.js';
import { sleep, waitFor, within } from './wait.js';

export type ComplianceSetup = (context: ComplianceSetupContext) => Promise<ComplianceHarness>;

/** One test's world: a fresh harness, the three parties, started transports and what each side received. */
export interface Session {
  readonly harness: ComplianceHarness;
  readonly parties: Parties;
  readonly settings: ResolvedComplianceOptions;
  readonly signal: AbortSignal;
  readonly sender: Transport;
  readonly senderInbox: Inbox;
  /** The current receiver: the harness's, or the latest reopened one. */
  readonly receiver: Transport;
  readonly receiverInbox: Inbox;
  /** Starts the current receiver with the receiver's tags and waits until it reports 'up'. */
  startReceiver(): Promise<void>;
  /** Stops the current receiver, then makes (`reopenReceiver`) and starts a new one with a new inbox. */
  restartReceiver(): Promise<void>;
  envelopeFor(...to: Identity[]): Uint8Array;
  /** Sends with the route read from the envelope, bounded by the timeout. */
  send(envelope: Uint8Array, signal?: AbortSignal): Promise<SendReceipt>;
  /**
   * Sends to recipients of whom some collect nowhere on this channel (a stranger; a receiver never started):
   * a transport that can tell may refuse with RECIPIENT_UNREACHABLE (an MQTT 5 broker's "no matching subscribers")
   * rather than accept what nobody will collect. Any other refusal fails the test.
   */
  sendToUncollected(envelope: Uint8Array): Promise<SendReceipt | 'unreachable'>;
  waitFor(what: string, condition: () => boolean): Promise<void>;
  /** Sends a fresh envelope to the receiver and waits for it: the receiver has caught up with everything sent before. */
  sentinel(): Promise<void>;
  /** Waits `settleMs` for anything that should NOT happen to show up. */
  settle(): Promise<void>;
}

export async function openSession(context: TestContext, setup: ComplianceSetup, settings: ResolvedComplianceOptions, options: { startReceiver?: boolean } = {}): Promise<Session> {
  const { timeoutMs } = settings;
  const parties = makeParties();
  const harness = await within('setup()', setup({ receiverTags: tagsOf(parties.receiver), senderTags: tagsOf(parties.sender), strangerTags: tagsOf(parties.stranger), identities: parties, signal: context.signal }), timeoutMs);
  // Every transport the test touched, started or not: all are stopped at the end.
  const touched = new Set<Transport>([harness.sender, harness.receiver]);

  context.onTestFinished(async () => {
    // Stop every transport (stop is idempotent), then let the harness release the medium.
    for (const transport of touched) await within(`${transport.name}.stop()`, transport.stop({ signal: AbortSignal.timeout(timeoutMs) }), timeoutMs + 1000).catch(() => undefined);
    await within('teardown()', harness.teardown(), timeoutMs);
  }, 3 * timeoutMs + 5000);

  const bounded = (what: string, condition: () => boolean): Promise<void> => waitFor(what, condition, timeoutMs, context.signal);
  const up = (transport: Transport, role: string): Promise<void> => bounded(`the ${role} (${transport.name}) to report health 'up'`, () => transport.health().state === 'up');
  const start = async (transport: Transport, role: string, tags: string[], box: Inbox): Promise<void> => {
    touched.add(transport);
    await within(`${role}.start()`, transport.start({ routingTags: tags, deliver: box.deliver }), timeoutMs);
    await up(transport, role);
  };

  expect(harness.sender, 'harness.sender and harness.receiver must be two transports').not.toBe(harness.receiver);
  const senderInbox = inbox();
  let receiver = harness.receiver;
  let receiverInbox = inbox();
  await start(harness.sender, 'sender', tagsOf(parties.sender), senderInbox);

  const session: Session = {
    harness,
    parties,
    settings,
    signal: context.signal,
    sender: harness.sender,
    senderInbox,
    get receiver() {
      return receiver;
    },
    get receiverInbox() {
      return receiverInbox;
    },
    startReceiver: () => start(receiver, 'receiver', tagsOf(parties.receiver), receiverInbox),
    async restartReceiver() {
      await within('receiver.stop()', receiver.stop(), timeoutMs);
      receiver = await within('reopenReceiver()', Promise.resolve(harness.reopenReceiver()), timeoutMs);
      touched.add(receiver);
      receiverInbox = inbox();
      await session.startReceiver();
    },
    envelopeFor: (...to) => sealedFor(parties.sender, to),
    send(envelope, signal) {
      const bound = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]);
      return within('sender.send()', harness.sender.send(envelope, routeOf(envelope), { signal: bound }), timeoutMs + 1000);
    },
    async sendToUncollected(envelope) {
      try {
        return await session.send(envelope);
      } catch (error) {
        if (error instanceof TransportError && error.code === 'RECIPIENT_UNREACHABLE') return 'unreachable';
        throw error;
      }
    },
    waitFor: bounded,
    async sentinel() {
      const envelope = session.envelopeFor(parties.receiver);
      await session.send(envelope);
      const id = routeOf(envelope).messageId;
      await bounded('a sentinel envelope to reach the receiver', () => receiverInbox.accepted(id) > 0);
    },
    async settle() {
      await sleep(settings.settleMs, context.signal);
      expect(receiverInbox.problem, 'receiver inbox').toBeUndefined();
      expect(senderInbox.problem, 'sender inbox').toBeUndefined();
    },
  };
  if (options.startReceiver ?? true) await session.startReceiver();
  return session;
}
