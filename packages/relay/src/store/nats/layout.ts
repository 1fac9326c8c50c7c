import { OptionsError } from '@herald/core';
import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig, type StreamSource } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { MailboxLimits } from '../relay-store.js';
import type { NatsMailSource } from './options.js';
import { DIRECTORY_MAX_BYTES, DIRECTORY_MAX_ONE_TIME } from '../prekey-directory.js';

/**
 * Where the relay keeps its state in JetStream, all with the configured replicas on file storage:
 * - stream `<NAME>_MAIL`, subjects `<name>.mail.<tag>`: one message per entry, its sequence the entry's seq. The
 *   server itself enforces the quotas every relay shares: envelopes per mailbox (max_msgs_per_subject, refusing the
 *   new one), envelopes and bytes in all (max_msgs, max_bytes), and the longest retention (max_age).
 * - bucket `<NAME>_META`: the relay id, made once for every relay of the cluster (they are one relay to clients).
 * - bucket `<NAME>_COLLECTED`: which mailboxes were ever collected.
 * - the prekey directory (prekeys.ts): stream `<NAME>_PREKEYS`, subjects `<name>.prekeys.<tag>`, one message per
 *   one-time prekey (at most DIRECTORY_MAX_ONE_TIME per mailbox, refusing more), and bucket `<NAME>_PREKEY_OWNERS`,
 *   one record per mailbox (owner key, medium-term prekeys); each at most directoryMaxBytes.
 */
export interface StoreLayout {
  readonly manager: JetStreamManager;
  readonly mailStream: string;
  /** Subject of one mailbox's entries. */
  subjectOf(tag: string): string;
  /** A subject filter matching every entry the stream holds (its own and those taken in from `sources`). */
  readonly anyMail: string;
  /** The mailbox a subject names (this relay's subjects or a source's), or undefined for a subject of no mailbox. */
  tagOf(subject: string): string | undefined;
  readonly meta: KV;
  readonly collected: KV;
  readonly prekeys: { readonly stream: string; oneTimeSubject(tag: string): string; readonly owners: KV; readonly ownersStream: string };
}

/** What a stored message costs beyond its envelope (subject, headers, record): room added to max_bytes for it. */
export const MESSAGE_OVERHEAD = 256;

/** How long JetStream remembers a prekey's Nats-Msg-Id: the same upload written through two relays at once is stored once. */
const DUPLICATE_WINDOW_NS = 120 * 1e9;

/** The subjects of the mail deposited through the relays of `name`. */
const mailPrefix = (name: string): string => `${name.toLowerCase()}.mail.`;

/**
 * The mail stream's JetStream sources, over leaf links: the stream of the same name in each of `domains`, whole
 * (upward only), and each of `sources`' streams filtered to its own relays' deposits (both ways without a loop).
 */
function sourcesOf(mailStream: string, domains: readonly string[], sources: readonly NatsMailSource[]): StreamSource[] {
  return [
    ...domains.map((domain) => ({ name: mailStream, external: { api: `$JS.${domain}.API`, deliver: '' } })),
    ...sources.map((source) => ({ name: `${source.name}_MAIL`, filter_subject: `${mailPrefix(source.name)}*`, external: { api: `$JS.${source.domain}.API`, deliver: '' } })),
  ];
}

/** The sources of an existing stream, in a form to compare with what `sourcesOf` writes. */
function sourcesKey(config: Partial<StreamConfig>): string {
  return JSON.stringify((config.sources ?? []).map((source) => `${source.external?.api ?? ''} ${source.name} ${source.filter_subject ?? ''}`).sort());
}

export async function openLayout(connection: NatsConnection, name: string, replicas: number, limits: MailboxLimits & { readonly maxRetentionSeconds: number; readonly duplicateWindowMs: number }, sourceDomains: readonly string[] = [], sources: readonly NatsMailSource[] = []): Promise<StoreLayout> {
  const manager = await jetstreamManager(connection, { timeout: 10_000 });
  const mailStream = `${name}_MAIL`;
  const prefix = mailPrefix(name);
  const prefixes = [prefix, ...sources.map((source) => mailPrefix(source.name))];
  const config: StreamSettings = {
    ...perSubjectStream(mailStream, `${prefix}*`, replicas),
    max_msgs_per_subject: limits.mailboxMaxEnvelopes,
    max_msgs: limits.maxStoredEnvelopes,
    max_bytes: limits.maxStoredBytes + limits.maxStoredEnvelopes * MESSAGE_OVERHEAD,
    max_age: limits.maxRetentionSeconds * 1e9,
    // How long a deposit's Nats-Msg-Id is remembered: a deposit retried within it is stored once.
    duplicate_window: Math.min(limits.duplicateWindowMs * 1e6, limits.maxRetentionSeconds * 1e9),
    // No direct gets: a replica may answer those before it caught up, and an entry it lacks would look removed.
    allow_direct: false,
    // Updated whole: a stream whose relays no longer name a domain stops sourcing it.
    ...(sourceDomains.length + sources.length > 0 ? { sources: sourcesOf(mailStream, sourceDomains, sources) } : {}),
  };
  const mailHint = `the mail stream reserves maxStoredBytes plus ${MESSAGE_OVERHEAD} bytes per maxStoredEnvelopes (${config.max_bytes} bytes) on each of ${replicas} nodes; give each node's jetstream max_file_store that much, or lower maxStoredBytes / maxStoredEnvelopes`;
  await ensureStream(manager, config, 'mail stream', mailHint, (existing) => sourcesKey(existing) !== sourcesKey(config));
  const buckets = new Kvm(connection);
  const meta = await buckets.create(`${name}_META`, { replicas, history: 1, storage: StorageType.File });
  const collected = await buckets.create(`${name}_COLLECTED`, { replicas, history: 1, storage: StorageType.File });
  const prekeys = await openPrekeyLayout(manager, buckets, name, replicas, limits.directoryMaxBytes ?? DIRECTORY_MAX_BYTES);
  return {
    manager,
    mailStream,
    subjectOf: (tag) => `${prefix}${tag}`,
    anyMail: sources.length > 0 ? '*.mail.*' : `${prefix}*`,
    tagOf: (subject) => {
      const from = prefixes.find((one) => subject.startsWith(one));
      return from === undefined ? undefined : subject.slice(from.length);
    },
    meta,
    collected,
    prekeys,
  };
}

/** The prekey directory's stream and bucket (prekeys.ts), created or brought to the configured bound. */
async function openPrekeyLayout(manager: JetStreamManager, buckets: Kvm, name: string, replicas: number, maxBytes: number): Promise<StoreLayout['prekeys']> {
  const stream = `${name}_PREKEYS`;
  const prefix = `${name.toLowerCase()}.prekeys.`;
  const config: StreamSettings = {
    ...perSubjectStream(stream, `${prefix}*`, replicas),
    max_msgs_per_subject: DIRECTORY_MAX_ONE_TIME,
    max_bytes: maxBytes,
    duplicate_window: DUPLICATE_WINDOW_NS,
    allow_direct: false,
  };
  const hint = `the prekey directory's stream and bucket each reserve directoryMaxBytes (${maxBytes} bytes) on each of ${replicas} nodes; give each node's jetstream max_file_store room for them, or lower directoryMaxBytes`;
  await ensureStream(manager, config, 'prekey directory stream', hint, () => false);
  // Read from each leader, never a replica that may lag behind an upload or a fetch.
  const owners = await buckets.create(`${name}_PREKEY_OWNERS`, { replicas, history: 1, storage: StorageType.File, max_bytes: maxBytes, allow_direct: false });
  return { stream, oneTimeSubject: (tag) => `${prefix}${tag}`, owners, ownersStream: `KV_${name}_PREKEY_OWNERS` };
}

type StreamSettings = Partial<StreamConfig> & { name: string };

/** A replicated stream on file storage, one subject per mailbox, that refuses a message past a limit (the quotas). */
function perSubjectStream(name: string, subjects: string, replicas: number): StreamSettings {
  return { name, subjects: [subjects], retention: RetentionPolicy.Limits, storage: StorageType.File, num_replicas: replicas, discard: DiscardPolicy.New, discard_new_per_subject: true };
}

/**
 * Creates the stream, or updates it when a setting differs (`differs` compares what a field-by-field check
 * cannot): the last relay started sets the limits every relay shares (a rolling restart with new settings changes them).
 */
async function ensureStream(manager: JetStreamManager, config: StreamSettings, what: string, hint: string, differs: (existing: StreamConfig) => boolean): Promise<void> {
  const refused = (error: unknown): never => {
    const message = (error as Error).message;
    // An OptionsError that says what the relay asked for.
    throw new OptionsError(`store: the NATS cluster refused the relay's ${what} (${message})${/insufficient|resources|placement/i.test(message) ? `: ${hint}` : ''}`, { cause: error });
  };
  const existing = await manager.streams.info(config.name).catch(() => undefined);
  if (existing === undefined) return void (await manager.streams.add(config).catch(refused));
  const changed = differs(existing.config) || Object.entries(config).some(([key, value]) => !Array.isArray(value) && (existing.config as unknown as Record<string, unknown>)[key] !== value);
  if (changed) await manager.streams.update(config.name, config).catch(refused);
}
