import type { Card } from '../card.js';
import { OptionsError } from '../errors.js';
import type { Identity } from '../identity.js';
import { checkOptions, flagOption, OptionType, wholeOption, type OptionsOf } from '../options-schema.js';
import type { PrekeySecretStore } from '../prekey/secret-store.js';
import type { HeraldStore } from '../store.js';
import type { Transport } from '../transport.js';
import type { PrekeyRotationInit } from './own-prekeys.js';
import { NodePolicySchema } from './policy-schema.js';
import { DEFAULT_MAX_RECEIVED_MESSAGES } from './received.js';
import type { NodeTrust, RetiredIdentity } from './trust.js';
import { DEFAULT_EPOCH_RETAIN_SECONDS } from '../epoch/window.js';

/** Default `retainFinishedMs`: finished outbox records are kept a week. */
export const DEFAULT_RETAIN_FINISHED_MS = 7 * 24 * 60 * 60 * 1000;

const WHERE = 'createNode';

/** An object the node uses through its methods (an identity, a store, a transport): its type is TypeScript's, its shape is checked below. */
function objectOption<T>(expected: string, description: string) {
  return OptionType.Unsafe<T>(OptionType.Any({ description, errorMessage: `expected ${expected}` }));
}

/**
 * `createNode`'s options, declared once: the schema yields `NodeInit`, and `checkNodeInit` checks every field against
 * it (unknown keys refused, numbers in their range) before the shapes of the objects the node is handed. Each
 * description states the default.
 */
export const NodeInitSchema = OptionType.Object(
  {
    identity: OptionType.Readonly(objectOption<Identity>('an Identity (generateIdentity, readSecretKeyFile)', "The node's own identity: it seals, signs and opens with it.")),
    contacts: OptionType.ReadonlyOptional(objectOption<Iterable<Card>>('an iterable of Cards', 'Known contacts. Messages from others are refused (UNKNOWN_SENDER) unless `requireKnownSender` is false. Default: none.')),
    store: OptionType.Readonly(objectOption<HeraldStore>('a HeraldStore (memoryStore, lmdbStore)', 'Where the outbox, the inbox and contacts\' prekeys are kept. The node does not close it.')),
    channels: OptionType.Readonly(
      OptionType.Unsafe<readonly Transport[]>(OptionType.Array(OptionType.Any({ errorMessage: 'expected a Transport' }), { description: 'Channels in order of preference, each with its own name.', errorMessage: 'expected an array of transports' })),
    ),
    policy: OptionType.ReadonlyOptional(NodePolicySchema),
    requireKnownSender: OptionType.ReadonlyOptional(flagOption(true, 'Only contacts can reach the application (and only they can be acked). Default true.')),
    retainFinishedMs: OptionType.ReadonlyOptional(
      OptionType.Number({ minimum: 0, default: DEFAULT_RETAIN_FINISHED_MS, description: 'Finished (delivered, expired, failed) outbox records are deleted this long after their last change. Default 7 days.', errorMessage: 'expected a non-negative number of milliseconds' }),
    ),
    maxReceivedMessages: OptionType.ReadonlyOptional(
      wholeOption(
        DEFAULT_MAX_RECEIVED_MESSAGES,
        1,
        Number.MAX_SAFE_INTEGER,
        'messages',
        'Received messages the application has not yet acked (waiting in `messages()` or handed out), at most. Default 1000. When that many are unacked, a new message is neither stored nor acked: its channel keeps it and offers it again later (and the sender, unacked, sends it again), so nothing is lost and memory stays bounded. The node reports the first refusal of each such stretch as an `error` event (CAPACITY_EXCEEDED). Acks, refusals and copies of messages still unacked by the application (acked again at once) are never held back; a copy of a message the application already acked waits like a new one. Messages already in the durable inbox at start are all queued.',
      ),
    ),
    trust: OptionType.ReadonlyOptional(objectOption<NodeTrust>('a NodeTrust (createTrust in @herald/trust)', 'An organisation trust policy (`createTrust` in @herald/trust): certificates in and out, revocation, rotation. Default: none.')),
    retiredIdentities: OptionType.ReadonlyOptional(
      OptionType.Unsafe<readonly RetiredIdentity[]>(OptionType.Array(OptionType.Any(), { description: "Identities this node rotated away from: mail sealed to them still opens until each one's `until`. Default: none.", errorMessage: 'expected an array of retired identities' })),
    ),
    prekeys: OptionType.ReadonlyOptional(
      objectOption<PrekeySecretStore>(
        'a PrekeySecretStore',
        "This identity's prekey secrets (envelope version 2): pass `lmdbPrekeySecretStore` (@herald/store-lmdb) beside a durable store. Without one the node offers no prekeys of its own, so mail to it stays version 1 (it still seals version 2 to contacts that offer theirs): secrets kept only in memory would be lost at a restart, and with them every envelope sealed to them. The node does not close it. Default: none.",
      ),
    ),
    prekeyRotation: OptionType.ReadonlyOptional(objectOption<PrekeyRotationInit>('an object', "The node's medium-term prekey schedule. Defaults: a new one every 24 h, sealUntil +48 h, openUntil +7 days.")),
    epochTags: OptionType.ReadonlyOptional(
      OptionType.Object(
        {
          retainSeconds: OptionType.ReadonlyOptional(
            wholeOption(DEFAULT_EPOCH_RETAIN_SECONDS, 0, Number.MAX_SAFE_INTEGER, 'seconds', "How long an epoch's mailbox is still collected after the epoch ends: what a relay keeps mail for. The window from then to the next epoch may span at most 64 of the card's epochs. Default 30 days (2 592 000)."),
          ),
        },
        { additionalProperties: false, description: 'Epoch routing tags, for an identity with a version-2 card (ignored for version 1): the channels collect the tags of the epochs from `retainSeconds` ago to the next one (entered up to 5 minutes ahead), the set moving at each boundary. Default: `{ retainSeconds: 2592000 }`.', errorMessage: 'expected an object' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** What `createNode` takes (NodeInitSchema describes each field and its default). Checked at construction (OptionsError INVALID_OPTIONS naming the field). */
export interface NodeInit extends OptionsOf<typeof NodeInitSchema> {}

export interface ResolvedNodeLimits {
  readonly retainFinishedMs: number;
  readonly maxReceivedMessages: number;
}

const refuse = (field: string, expected: string): never => {
  throw new OptionsError(`${WHERE}: ${field}: expected ${expected}`);
};

/** Checks `createNode`'s init (OptionsError naming the field) and fills in the documented defaults of its limits. */
export function checkNodeInit(init: NodeInit): ResolvedNodeLimits {
  if (typeof init !== 'object' || init === null) throw new OptionsError(`${WHERE}: init is required ({ identity, store, channels })`);
  checkOptions(NodeInitSchema, init, WHERE);
  // The schema knows these only as objects; the node needs what it calls on them.
  if (!init.identity?.card) refuse('identity', 'an Identity (generateIdentity, readSecretKeyFile)');
  if (!init.store || typeof init.store.receive !== 'function') refuse('store', 'a HeraldStore (memoryStore, lmdbStore)');
  const names = new Set<string>();
  for (const [index, channel] of init.channels.entries()) {
    if (!channel || typeof channel.send !== 'function' || typeof channel.name !== 'string') refuse(`channels[${index}]`, 'a Transport');
    if (names.has(channel.name)) throw new OptionsError(`${WHERE}: channels[${index}]: ${channel.name} is listed twice`);
    names.add(channel.name);
  }
  if (init.prekeys !== undefined && (typeof init.prekeys !== 'object' || init.prekeys === null || typeof init.prekeys.get !== 'function')) refuse('prekeys', 'a PrekeySecretStore');
  return { retainFinishedMs: init.retainFinishedMs ?? DEFAULT_RETAIN_FINISHED_MS, maxReceivedMessages: init.maxReceivedMessages ?? DEFAULT_MAX_RECEIVED_MESSAGES };
}
