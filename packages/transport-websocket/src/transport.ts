import { fromHex, roundTripTimer, toHex, transportLifecycle, TransportError, type OperationOptions, type SendReceipt, type Transport, type TransportStartOptions } from '@herald/core';
import { identityAuthenticator, mailboxAuthenticator } from './authenticators.js';
import type { RelayConnection } from './connection.js';
import { epochMailboxes } from './epoch-mailboxes.js';
import { healthTracker } from './health.js';
import { resolveInit, type WebSocketTransportInit } from './init.js';
import { openLink, type Link } from './link.js';

/** The identity's AUTH connection in `links`; epoch mailboxes are keyed by their tag (32 hex digits, never this). */
const IDENTITY = 'identity';

/**
 * A channel through one Herald relay (docs/relay-protocol.md). `send` resolves
 * once the relay has stored the envelope durably; pushed envelopes go to the
 * node and are acknowledged to the relay only after `deliver` resolved. Each
 * connection is kept open with heartbeats and reopened with jittered backoff.
 *
 * Connections (docs/relay-protocol.md 4.5): one AUTH connection as the identity, collecting its static mailbox, and
 * one MAILBOX_AUTH connection per epoch tag it collects, so the relay never sees two epochs claimed together. A node
 * whose tags are all epoch tags has no AUTH connection: it deposits over an epoch connection.
 */
export function webSocketTransport(init: WebSocketTransportInit): Transport {
  const options = resolveInit(init);
  const channel = options.name;
  const health = healthTracker();
  const ownTag = toHex(options.identity.card.routingTag);
  /** The round trip to the relay, shared by every connection: every timeout of the link follows it. */
  const rtt = roundTripTimer();
  /** Live links by key (IDENTITY, or an epoch tag); `identityCollects` is what the identity link's AUTH claims. */
  const links = new Map<string, Link>();
  let identityCollects = false;
  /** Set by the first prekey upload: the identity's AUTH connection stays open from then on (a bundle names the identity). */
  let publishesPrekeys = false;
  let deliver: TransportStartOptions['deliver'] | undefined;

  function refreshHealth(): void {
    if (lifecycle.signal.aborted || links.size === 0) return;
    const down = [...links.values()].filter((link) => !link.isUp);
    if (down.length === 0) health.set('up');
    else if (down.length === links.size) health.set('down', down[0]!.reason);
    else health.set('degraded', `${down.length} of ${links.size} connections down: ${down[0]!.reason}`);
  }

  function open(key: string, authenticate: Parameters<typeof openLink>[1]): Link {
    const link = openLink(options, authenticate, {
      deliver: (envelope) => deliver!(envelope),
      onState: refreshHealth,
      onClock: (offsetMs) => health.clock(offsetMs),
      onError: (error) => health.error(error),
      onMoved: (at) => health.moved(at),
    }, lifecycle.signal, rtt);
    links.set(key, link);
    return link;
  }

  /** Makes the links match `tags`; resolves after each new link's first attempt (never fails on a relay that is down). */
  async function apply(tags: readonly string[]): Promise<void> {
    const collect = options.collect;
    const epochs = collect ? epochMailboxes(options.identity, tags.filter((tag) => tag !== ownTag), Date.now()) : new Map();
    for (const tag of tags) {
      // The relay hands a mailbox only to whoever proves it: this transport can prove its identity's only.
      if (collect && tag !== ownTag && !epochs.has(tag)) throw new TransportError('CHANNEL_REJECTED', channel, `cannot collect routing tag ${tag}: it is neither init.identity's (${ownTag}) nor one of its epoch tags`);
    }
    // The identity's AUTH connection: for its static mailbox, for prekey uploads, or for depositing when there is no epoch connection.
    const identityShouldCollect = collect && (tags.includes(ownTag) || epochs.size === 0 || publishesPrekeys);
    const wantsIdentity = !collect || identityShouldCollect;
    const closing: Promise<void>[] = [];
    const drop = (key: string): void => {
      const link = links.get(key);
      links.delete(key);
      // A dropped mailbox's connection stays until what it was pushed is delivered, then closes.
      if (link) closing.push(link.close(new AbortController().signal));
    };
    if (links.has(IDENTITY) && (!wantsIdentity || identityCollects !== identityShouldCollect)) drop(IDENTITY);
    for (const key of [...links.keys()]) if (key !== IDENTITY && !epochs.has(key)) drop(key);
    const opened: Link[] = [];
    if (wantsIdentity && !links.has(IDENTITY)) {
      identityCollects = identityShouldCollect;
      opened.push(open(IDENTITY, identityAuthenticator(options, identityShouldCollect)));
    }
    for (const [tag, mailbox] of epochs) if (!links.has(tag)) opened.push(open(tag, mailboxAuthenticator(mailbox)));
    refreshHealth();
    await Promise.all(opened.map((link) => link.started));
    void Promise.all(closing).then(refreshHealth);
  }

  const lifecycle = transportLifecycle({
    channel,
    async open(start) {
      deliver = start.deliver;
      health.set('down', 'connecting');
      // Resolves after the first attempts (bounded by connectTimeoutMs), so a send right after start finds the link up.
      await apply(start.routingTags);
    },
    stopped: () => health.set('down', 'stopped'),
    async close(hurry) {
      const all = [...links.values()];
      links.clear();
      await Promise.all(all.map((link) => link.close(hurry)));
    },
  });

  /** Where deposits and directory requests go: the identity's connection, else the newest epoch connection that is up. */
  function sender(): Link {
    const identity = links.get(IDENTITY);
    if (identity) return identity;
    const epochLinks = [...links.values()].reverse();
    const link = epochLinks.find((candidate) => candidate.isUp) ?? epochLinks[0];
    if (!link) throw new TransportError('CHANNEL_UNAVAILABLE', channel, health.current().reason ?? 'not connected to the relay');
    return link;
  }

  const connected = (signal: AbortSignal | undefined): Promise<RelayConnection> => sender().connected(signal);

  async function send(envelope: Uint8Array, signal: AbortSignal | undefined): Promise<SendReceipt> {
    if (envelope.length > options.maxEnvelopeBytes) throw new TransportError('CHANNEL_TOO_SMALL', channel, `envelope of ${envelope.length} bytes exceeds maxEnvelopeBytes ${options.maxEnvelopeBytes}`);
    const connection = await connected(signal);
    const acceptedAt = await connection.deposit(envelope, signal);
    health.moved(acceptedAt);
    return { channel, acceptedAt };
  }

  return {
    name: channel,
    capabilities: Object.freeze({ maxEnvelopeBytes: options.maxEnvelopeBytes, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' as const }),
    start: (start) => lifecycle.start(start),
    stop: (stopOptions) => lifecycle.stop(stopOptions),
    send: (envelope, _route, sendOptions = {}) => lifecycle.send(sendOptions.signal, () => send(envelope, sendOptions.signal)),
    updateRoutingTags: (routingTags: readonly string[], updateOptions?: OperationOptions) => lifecycle.update(routingTags, updateOptions, apply),
    health: () => health.current(),
    subscribe: (listener) => health.subscribe(listener),
    roundTrip: () => rtt.estimate(),
    // The relay keeps prekeys only for a mailbox an AUTH connection proved: a transport that does not collect uploads none.
    prekeys: {
      async upload(bundle, operation = {}) {
        if (!options.collect) throw new TransportError('CHANNEL_REJECTED', channel, 'this channel does not collect its mailbox, so the relay takes no prekeys for it');
        return lifecycle.send(operation.signal, async () => {
          // The relay takes prekeys only on an AUTH connection that proved the static mailbox (MAILBOX_AUTH shows no
          // identity): a node collecting epoch tags only opens one now, and keeps it (threat model section 10.5).
          publishesPrekeys = true;
          let identity = links.get(IDENTITY);
          if (!identity || !identityCollects) {
            identity?.close(new AbortController().signal).catch(() => undefined);
            identityCollects = true;
            identity = open(IDENTITY, identityAuthenticator(options, true));
            refreshHealth();
            await identity.started;
          }
          return (await identity.connected(operation.signal)).uploadPrekeys(fromHex(ownTag), bundle, operation.signal);
        });
      },
      async fetch(routingTag, operation = {}) {
        if (!/^[0-9a-f]{32}$/.test(routingTag)) throw new TransportError('CHANNEL_REJECTED', channel, `a routing tag is 32 lower-case hex digits, not ${JSON.stringify(routingTag.slice(0, 40))}`);
        const bundle = await lifecycle.send(operation.signal, async () => (await connected(operation.signal)).fetchPrekeys(fromHex(routingTag), operation.signal));
        return bundle.length === 0 ? undefined : bundle;
      },
    },
  };
}
