import { epochOf, epochTagFor, fromHex, healthTracker, toHex, transportLifecycle, type HealthState, type Identity, type Transport, type TransportStartOptions } from '@herald/core';
import { identityLogin, mailboxLogin } from '@herald/protocol';
import type { Login } from './connection.js';
import type { ResolvedMqttInit } from './init.js';
import { MQTT_CLIENT_ID_DOMAIN } from './client-id.js';
import { sodium } from './sodium.js';
import { isRoutingTag } from './topics.js';

const WORST: readonly HealthState[] = ['down', 'degraded', 'up'];

/** A tag's own client id: `BLAKE2b-128(key = X25519 secret, msg = "herald/v1/mqtt-client-id" || tag)`, unlinkable to the others without the secret. */
export function tagClientId(identity: Identity, tag: string): string {
  return toHex(sodium.crypto_generichash(16, Buffer.concat([MQTT_CLIENT_ID_DOMAIN, fromHex(tag)]), identity.agreementSecretKey));
}

/** Epochs searched for a tag (newest first): the node's window spans at most 64, and the next one. */
const EPOCHS_SEARCHED = 66;

/** The login of a tag's client: its epoch's mailbox proof for a version-2 card's epoch tag, else the identity proof. */
function loginFor(identity: Identity, tag: string, url: string): Login {
  const { epochSeconds } = identity.card;
  if (epochSeconds !== undefined) {
    const now = epochOf(Date.now(), epochSeconds);
    for (let epoch = now + 1; epoch > now + 1 - EPOCHS_SEARCHED && epoch >= 0; epoch--) {
      if (toHex(epochTagFor(identity.card, epoch)) === tag) return mailboxLogin(identity, epoch, url);
    }
  }
  return identityLogin(identity, url);
}

/**
 * `sessionPerTag`: one client (id, session, connection) per routing tag, and one for sending, so a broker does
 * not see a node's epoch tags subscribed by one client. Each is an ordinary channel of this package; this one
 * starts and stops them. A dropped tag's client unsubscribes at once but stays connected until the next update
 * (or the stop), so what its session still held reaches the node; health is the worst of all clients'.
 */
export function sessionPerTagTransport(options: ResolvedMqttInit, channelOf: (options: ResolvedMqttInit) => Transport): Transport {
  const identity = options.identity!;
  const channel = options.name;
  const health = healthTracker();
  const collectors = new Map<string, Transport>();
  let draining: Transport[] = [];
  let sender: Transport | undefined;
  let deliver: TransportStartOptions['deliver'] = async () => undefined;

  const clients = (): Transport[] => [...(sender ? [sender] : []), ...collectors.values()];
  function refresh(): void {
    if (lifecycle.state === 'stopped') return;
    const worst = clients().map((client) => client.health()).sort((a, b) => WORST.indexOf(a.state) - WORST.indexOf(b.state))[0];
    if (worst) health.set(worst.state, worst.reason);
  }
  function watched(client: Transport, forwardClock: boolean): Transport {
    client.subscribe((event) => {
      if (event.type === 'health') refresh();
      else if (event.type === 'error') health.error(event.error);
      else if (forwardClock) health.clock(event.offsetMs);
    });
    return client;
  }
  const collector = (tag: string): Transport => watched(channelOf({ ...options, sessionPerTag: false, clientId: tagClientId(identity, tag), proofLogin: () => loginFor(identity, tag, options.broker.name) }), false);
  const collect = (tag: string, client: Transport): Promise<void> => client.start({ routingTags: [tag], deliver: (envelope) => deliver(envelope) });

  const lifecycle = transportLifecycle({
    channel,
    isRoutingTag,
    async open(start) {
      deliver = start.deliver;
      sender = watched(channelOf({ ...options, sessionPerTag: false }), true);
      for (const tag of new Set(start.routingTags)) collectors.set(tag, collector(tag));
      await Promise.all([sender.start({ routingTags: [], deliver: async () => undefined }), ...[...collectors].map(([tag, client]) => collect(tag, client))]);
      refresh();
    },
    stopped: () => health.set('down', 'stopped'),
    async close(hurry) {
      await Promise.allSettled([...clients(), ...draining].map((client) => client.stop(hurry.aborted ? { signal: hurry } : {})));
    },
  });

  return {
    name: channel,
    capabilities: Object.freeze({ maxEnvelopeBytes: options.maxEnvelopeBytes, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' as const }),
    start: (start) => lifecycle.start(start),
    stop: (stopOptions) => lifecycle.stop(stopOptions),
    send: (envelope, route, sendOptions = {}) => lifecycle.send(sendOptions.signal, () => sender!.send(envelope, route, sendOptions)),
    updateRoutingTags: (routingTags, updateOptions) =>
      lifecycle.update(routingTags, updateOptions, async (tags) => {
        // The clients dropped by the previous update have had their time to hand over what their sessions held.
        await Promise.allSettled(draining.map((client) => client.stop()));
        draining = [];
        const wanted = new Set(tags);
        for (const [tag, client] of [...collectors]) {
          if (wanted.has(tag)) continue;
          collectors.delete(tag);
          draining.push(client);
          await client.updateRoutingTags!([]).catch((error: unknown) => health.error(error instanceof Error ? error : new Error(String(error))));
        }
        const added = tags.filter((tag) => !collectors.has(tag)).map((tag) => [tag, collector(tag)] as const);
        for (const [tag, client] of added) collectors.set(tag, client);
        await Promise.all(added.map(([tag, client]) => collect(tag, client)));
        refresh();
      }),
    health() {
      // The latest move of any client: a send's through the sender, a delivery's through a tag's client.
      const moves = [...clients(), ...draining].map((client) => client.health().lastSuccess ?? 0);
      const lastSuccess = Math.max(0, ...moves);
      return lastSuccess === 0 ? health.current() : { ...health.current(), lastSuccess };
    },
    subscribe: (listener) => health.subscribe(listener),
    roundTrip: () => sender?.roundTrip?.(),
  };
}
