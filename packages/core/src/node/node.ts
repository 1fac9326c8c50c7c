import { contactList, type ContactResolver } from '../contacts.js';
import { memoryPrekeySecretStore } from '../prekey/secret-store.js';
import type { HeraldNode, NodeInit } from './api.js';
import { ackHandling } from './acks.js';
import { createChannel } from './channel.js';
import { dispatcher } from './dispatcher.js';
import { nodeEvents } from './events.js';
import { nodeClock } from './clock.js';
import { nodePrekeys } from './forward-secrecy.js';
import { handleRegistry } from './handle.js';
import { outboxSealing } from './held.js';
import { nodeDirectory } from './prekey-directory.js';
import { checkNodeInit } from './init.js';
import { lifecycle } from './lifecycle.js';
import { resolveRotation } from './own-prekeys.js';
import { resolvePolicy } from './policy.js';
import { receiver } from './receiver.js';
import { revokedPrekeys } from './revoked-prekeys.js';
import { outboxRecords, TERMINAL } from './records.js';
import { kindsFor } from './sealing.js';
import { sender } from './sender.js';
import { statusBoard } from './status.js';
import { unlessAborted } from '../transport-kit/in-flight.js';
import { upkeep } from './upkeep.js';
import { epochTagSet } from './epoch-tags.js';
import { tagSchedule } from './tag-schedule.js';

export type { HeraldNode, NodeEvent, NodeInit, SendOptions } from './api.js';

/** A node: the parts below, wired. Each part is in its own file; this one only connects them and sequences start and stop. */
export function createNode(init: NodeInit): HeraldNode {
  const limits = checkNodeInit(init);
  const epochs = epochTagSet(init.identity.card, init.epochTags);
  const policy = resolvePolicy(init.policy);
  const { identity, store } = init;
  const secrets = init.prekeys ?? memoryPrekeySecretStore(identity);
  const rotation = resolveRotation(init.prekeyRotation);
  // Without a prekey store of the application's (durable, like its message store), the node offers no prekeys:
  // secrets only in memory would be lost at a restart with every envelope in flight to them.
  const prekeys = nodePrekeys(identity, store, secrets, rotation, init.prekeys !== undefined);
  // The prekey kind this node offers: X-Wing unless one of its channels is too small to carry it.
  const offerKinds = kindsFor(init.channels.map((transport) => transport.capabilities.maxEnvelopeBytes));
  const contactCards = [...(init.contacts ?? [])];
  const contactsOnly = contactList(contactCards);
  const trusted = init.trust?.contacts;
  // The policy's cards (certified senders, successors) come after the contacts.
  const contacts: ContactResolver = trusted ? { bySigningKey: (key) => contactsOnly.bySigningKey(key) ?? trusted.bySigningKey(key), byKeyId: (id) => contactsOnly.byKeyId(id) ?? trusted.byKeyId(id) } : contactsOnly;
  const trust = init.trust ? { trust: init.trust } : {};

  const events = nodeEvents();
  // The relays' handshakes correct this machine's clock (within 24 h): seal and check with the corrected time.
  const clock = nodeClock((event) => events.emit(event));
  for (const transport of init.channels) transport.subscribe((event) => event.type === 'clock' && clock.observe(`relay ${transport.name}`, event.offsetMs));
  const channels = init.channels.map((transport) => createChannel(transport, policy, (state) => events.emit({ type: 'breaker', channel: transport.name, state })));
  const records = outboxRecords(store);
  const handles = handleRegistry((id) => records.get(id));
  const status = statusBoard(records, handles, events);
  // Envelope id → outbox id, for messages held for prekeys and sealed later (their ids differ).
  const outboxIdOf = new Map<string, string>();
  const life = lifecycle(teardown);
  const jobs = dispatcher({ clock, channels, policy, records, status, events, signal: life.signal, active: () => life.state === 'starting' || life.state === 'running' });
  const sealing = outboxSealing({ clock, store, records, policy, channels, prekeys, status, outboxIdOf });
  const acks = ackHandling({ clock, identity, policy, channels, prekeys, offerKind: offerKinds[0] ?? 'x25519', records, status, events, outboxIdOf, signal: life.signal, ...trust });
  const revoked = revokedPrekeys(store, contactCards, init.trust);
  let unwatchRevocations = (): void => undefined;
  const tags = tagSchedule({ identity, retired: init.retiredIdentities ?? [], epochs, channels: init.channels, clock, events });
  const inbox = receiver({ openTags: () => tags.openTags(), clock, revoked, identity, contacts, requireKnownSender: init.requireKnownSender ?? true, store, maxReceivedMessages: limits.maxReceivedMessages, acks, prekeys, secrets, sealing, events, ...trust, ...(init.retiredIdentities ? { retired: init.retiredIdentities } : {}) });
  const directory = nodeDirectory({ clock, store, prekeys, channels, offerKind: offerKinds[0] ?? 'x25519', sealing, report: (error) => events.report(error) });
  const tidy = upkeep({ clock, store, prekeys, offerKinds, rotation, retainFinishedMs: limits.retainFinishedMs, dispatcher: jobs, status, events, directory, signal: life.signal });
  const send = sender({ clock, contacts: contactCards, store, records, handles, policy, prekeys, sealing, directory, dispatcher: jobs, checkOpen: life.checkOpen, ...trust });

  async function startSteps(lifetime: AbortSignal): Promise<void> {
    for (const record of await records.load()) {
      if (record.envelopeId) outboxIdOf.set(record.envelopeId, record.id);
      if (!TERMINAL.has(record.status)) jobs.start(record.id);
    }
    await tidy.rotatePrekeys();
    unwatchRevocations = revoked.watch((error) => events.report(error));
    await revoked.drop();
    await inbox.loadInbox(lifetime);
    if (lifetime.aborted) return;
    // Retired identities keep collecting their mailbox through the grace period; a version-2 identity its epoch tags.
    const routingTags = tags.initial();
    const started = await Promise.allSettled(init.channels.map((transport) => transport.start({ routingTags, signal: lifetime, deliver: inbox.deliver })));
    for (const result of started) if (result.status === 'rejected' && !lifetime.aborted) events.report(result.reason);
    if (lifetime.aborted) return;
    tags.start({ signal: lifetime, deliver: inbox.deliver });
    tidy.start();
    // Not awaited: a relay that is slow to answer must not hold up the start.
    void directory.publish(lifetime).catch((error: unknown) => events.report(error));
  }

  async function teardown(started: boolean, signal: AbortSignal | undefined): Promise<void> {
    tidy.stop();
    // An epoch update under way ends before the channels stop (it may be restarting one).
    await tags.stop();
    unwatchRevocations();
    inbox.close();
    const stopOptions = signal ? { signal } : {};
    // Dispatch jobs are woken first (they see the aborted lifetime); in-flight store writes end before they do.
    const jobsEnded = jobs.close();
    const closing = (async () => {
      if (started) await Promise.allSettled(init.channels.map((transport) => transport.stop(stopOptions)));
      await jobsEnded;
    })();
    // The signal cuts the wait short, not the work: stop resolves, and what is under way finishes on its own.
    await unlessAborted(closing, signal, () => new Error('stop cut short')).catch(() => undefined);
  }

  return {
    identity,
    start: (options = {}) => life.start(options.signal, startSteps),
    stop: (options = {}) => life.stop(options.signal),
    send,
    async handle(id) {
      const record = records.get(id) ?? (await store.getOutbox(id));
      return record ? handles.handle(id, record.status) : undefined;
    },
    messages: (options = {}) => inbox.messages(options.signal),
    outbox: () => store.listOutbox(),
    async flush(options = {}) {
      for (;;) {
        const pending = (await store.listOutbox()).filter((record) => !TERMINAL.has(record.status));
        if (pending.length === 0 || options.signal?.aborted || life.state !== 'running') return pending.length;
        const first = pending[0];
        if (!first) return 0;
        await handles.handle(first.id, first.status).settled(options.signal ? { signal: options.signal } : {});
      }
    },
    subscribe: (listener) => events.subscribe(listener),
  };
}
