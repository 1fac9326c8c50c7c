import { toHex } from '../bytes.js';
import { parseCard, type Card } from '../card.js';
import { HeraldError } from '../errors.js';
import { decodePrekeyBundle, encodePrekeyBundle } from '../prekey/bundle.js';
import type { PrekeyKind } from '../prekey/types.js';
import type { HeraldStore } from '../store.js';
import type { PrekeyDirectory } from '../transport.js';
import { linkedController } from './async.js';
import type { Channel } from './channel.js';
import type { NodeClock } from './clock.js';
import { choosePrekey } from './contact-prekeys.js';
import type { NodePrekeys } from './forward-secrecy.js';
import type { OutboxSealing } from './held.js';

/** One-time prekeys a node keeps in each directory: topped up when fewer than half are left. */
export const DIRECTORY_ONE_TIME_TARGET = 20;
/** A contact whose prekeys no directory had is not asked for again this soon (ms): a send to it costs no round trip each time. */
const MISS_MEMORY_MS = 30_000;
/** Misses remembered at most (the oldest forgotten first): memory stays bounded however many contacts are written to. */
const MAX_MISSES = 1024;
/** Failures that say the directory was not reached at all (its channel down, the send cancelled): no miss to remember. */
const UNREACHABLE: ReadonlySet<string> = new Set(['CHANNEL_UNAVAILABLE', 'CHANNEL_STOPPED', 'ABORTED']);
/** The longest one directory request may take before the node moves on (the transport's own timeout usually ends it first). */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The prekey directories of the node's channels (docs/relay-protocol.md 4.3). `fill` fetches prekeys of
 * recipients the node holds none usable for; each bundle is checked against the recipient's card exactly as a
 * piggybacked one (a forged bundle is reported, never kept). `publish` uploads this node's own prekeys and
 * tops up its one-time prekeys there; `tick` (upkeep) publishes and retries messages held for prekeys.
 */
export interface NodeDirectory {
  fill(cards: readonly Card[], kinds: readonly PrekeyKind[], expiresSeconds: number, signal?: AbortSignal): Promise<void>;
  publish(signal?: AbortSignal): Promise<void>;
  tick(signal?: AbortSignal): Promise<void>;
}

export function nodeDirectory(deps: { store: HeraldStore; prekeys: NodePrekeys; channels: readonly Channel[]; offerKind: PrekeyKind; sealing: OutboxSealing; report(error: unknown): void; clock?: NodeClock }): NodeDirectory {
  // The node's corrected clock (clock.ts), as the rest of the node's prekey dating uses.
  const now = (): number => deps.clock?.now() ?? Date.now();
  const misses = new Map<string, number>();
  /** Channels that refused fetches, or uploads (no directory, not allowed, a channel that does not collect): not asked again by this node. */
  const refused = { fetch: new Set<string>(), upload: new Set<string>() };
  const directories = (use: keyof typeof refused): [string, PrekeyDirectory][] =>
    deps.channels.flatMap((channel) => (channel.transport.prekeys && !refused[use].has(channel.name) ? [[channel.name, channel.transport.prekeys] as [string, PrekeyDirectory]] : []));

  /** A channel that refuses is not asked again for that use; a forged bundle is reported; a channel that is down is tried next time. */
  const noted = (use: keyof typeof refused, name: string, error: unknown): void => {
    if (error instanceof HeraldError && error.code === 'CHANNEL_REJECTED') refused[use].add(name);
    if (error instanceof HeraldError && error.code === 'BAD_PREKEY') deps.report(error);
  };

  async function bounded<T>(signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const linked = linkedController(signal ?? new AbortController().signal, REQUEST_TIMEOUT_MS);
    try {
      return await work(linked.signal);
    } finally {
      linked.release();
    }
  }

  async function fetchFor(card: Card, kinds: readonly PrekeyKind[], expiresSeconds: number, signal: AbortSignal | undefined): Promise<void> {
    // Misses are remembered on this machine's clock.
    const at = Date.now();
    if ((misses.get(card.fingerprint) ?? 0) > at) return;
    // Whether some directory answered (or was too slow to): only then is a miss remembered. Channels that are down
    // fail at once, and the first send after they come back must ask again, not go on without prekeys for 30 s.
    let answered = false;
    for (const [name, directory] of directories('fetch')) {
      try {
        const bytes = await bounded(signal, (linked) => directory.fetch(toHex(card.routingTag), { signal: linked }));
        answered = true;
        if (!bytes) continue;
        // Checked against the card as a piggybacked bundle is: the relay can withhold prekeys, never forge them.
        await deps.prekeys.received(card, decodePrekeyBundle(bytes), now());
        if (choosePrekey(await deps.store.getContactPrekeys(card.fingerprint), card, now(), expiresSeconds, kinds)) return;
      } catch (error) {
        if (!(error instanceof HeraldError && UNREACHABLE.has(error.code))) answered = true;
        noted('fetch', name, error);
      }
    }
    if (!answered) return;
    misses.delete(card.fingerprint);
    misses.set(card.fingerprint, at + MISS_MEMORY_MS);
    for (const [fingerprint] of misses) {
      if (misses.size <= MAX_MISSES) break;
      misses.delete(fingerprint);
    }
  }

  async function fill(cards: readonly Card[], kinds: readonly PrekeyKind[], expiresSeconds: number, signal?: AbortSignal): Promise<void> {
    for (const card of cards) {
      if (choosePrekey(await deps.store.getContactPrekeys(card.fingerprint), card, now(), expiresSeconds, kinds)) continue;
      await fetchFor(card, kinds, expiresSeconds, signal);
    }
  }

  async function publish(signal?: AbortSignal): Promise<void> {
    for (const [name, directory] of directories('upload')) {
      try {
        // First the medium-term prekey alone: the answer says how many one-time prekeys the directory still holds.
        const medium = await deps.prekeys.own.offer(deps.offerKind, 0, now());
        if (medium.prekeys.length === 0) return;
        const held = await bounded(signal, (linked) => directory.upload(encodePrekeyBundle(medium), { signal: linked }));
        if (held >= DIRECTORY_ONE_TIME_TARGET / 2) continue;
        const topUp = await deps.prekeys.own.offer(deps.offerKind, DIRECTORY_ONE_TIME_TARGET - held, now());
        await bounded(signal, (linked) => directory.upload(encodePrekeyBundle(topUp), { signal: linked }));
      } catch (error) {
        noted('upload', name, error);
      }
    }
  }

  return {
    fill,
    publish,
    async tick(signal) {
      await publish(signal);
      for (const record of await deps.store.listOutbox()) {
        if (record.status !== 'awaiting-prekeys' || !record.held) continue;
        const cards = record.held.cards.map((text) => parseCard(text));
        await fill(cards, deps.sealing.kinds(cards, record.precedence), Math.floor(record.expiresAt / 1000), signal);
        await deps.sealing.sealHeld(record.id);
      }
    },
  };
}
