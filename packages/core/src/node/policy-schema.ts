import { flagOption, OptionType, oneOfOption, perPrecedenceOption, textListOption, type OptionSchema, type OptionsOf } from '../options-schema.js';
import { PRECEDENCES } from '../precedence.js';

/**
 * The node's routing policy (`createNode({ policy })`), declared once: the schema yields `NodePolicy` and is checked
 * with the rest of createNode's options (unknown keys refused, numbers in range, precedences and modes by name);
 * `resolvePolicy` fills in the defaults each description states.
 */

const MODES = ['required', 'preferred', 'off'] as const;
export type ForwardSecrecy = (typeof MODES)[number];
export const FORWARD_SECRECY_MODES: readonly ForwardSecrecy[] = MODES;

const optional = OptionType.ReadonlyOptional;
const closed = { additionalProperties: false } as const;

const positive = (unit: string, description: string) => OptionType.Number({ exclusiveMinimum: 0, description, errorMessage: `expected a positive number of ${unit}` });
const mode = (description: string) => oneOfOption(MODES, undefined, description);
const byName = <T extends OptionSchema>(value: T, description: string) => OptionType.Readonly(OptionType.Record(OptionType.String(), value, { description, errorMessage: 'expected a mapping' }));

const ForwardSecrecyRulesSchema = OptionType.Object(
  {
    default: optional(mode('For messages no other rule covers. Default preferred.')),
    precedence: optional(perPrecedenceOption(() => mode(''), 'By precedence.')),
    recipient: optional(byName(mode(''), 'By recipient fingerprint; the strictest of a message\'s recipients wins over its precedence.')),
    channel: optional(
      byName(
        mode(''),
        'By channel, a prefix of its name as in `forbid` (`mqtt` covers mqtt:// and mqtts://, `ws`, `email:`, `dir:`…). `required`: the channel never carries a version-1 envelope (a v1 message goes over the others, or waits), and a message whose every allowed channel requires it is held for prekeys as under `required`. Other modes set no floor. Acks are exempt: they carry only message ids and public prekeys, and a node must always be able to acknowledge.',
      ),
    ),
  },
  closed,
);

export const NodePolicySchema = OptionType.Object(
  {
    fanOut: optional(OptionType.Array(oneOfOption(PRECEDENCES, undefined, ''), { description: 'Send over all healthy channels at once. Default: FLASH only.', errorMessage: 'expected a list of precedences' })),
    ackDeadlineMs: optional(
      perPrecedenceOption(
        (precedence) => positive('milliseconds', `The ${precedence} ack deadline.`),
        "Time from acceptance to the end-to-end ack before the message is sent again over the next channel; two of the accepting channel's measured round trips are added (at most 10 min in all, unless configured longer). Defaults: FLASH 30 s, IMMEDIATE 2 min, PRIORITY 10 min, ROUTINE 30 min.",
      ),
    ),
    ackDeadlineGrowth: optional(OptionType.Number({ minimum: 1, description: 'Each later hedge cycle over all channels waits this many times longer (never a higher rate on one channel). Default 2.', errorMessage: 'expected a number of at least 1' })),
    retriesPerChannel: optional(OptionType.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Retries of a retryable failure on one channel before failing over, with exponential backoff and jitter. Default 2.', errorMessage: 'expected a whole number of retries, at least 0' })),
    retryMinDelayMs: optional(positive('milliseconds', 'First retry delay on a channel. Default 250 ms.')),
    maxBackoffMs: optional(positive('milliseconds', 'Longest wait between passes when no channel accepted. Default 60 s.')),
    sendTimeoutMs: optional(positive('milliseconds', 'Per-attempt timeout of one send on one channel; longer on a channel whose measured round trip needs it (two round trips, at most 120 s). Default 15 s.')),
    breakerThreshold: optional(positive('failures', "Consecutive failures that open a channel's circuit breaker. Default 3.")),
    breakerCooldownMs: optional(positive('milliseconds', 'How long an open breaker waits before a half-open probe; doubles on each failed probe up to 16×. Default 5 s.')),
    forbid: optional(
      OptionType.Object(
        {
          precedence: optional(perPrecedenceOption(() => textListOption(''), 'Channels never used for a precedence.')),
          recipient: optional(byName(textListOption(''), 'Channels never used for a recipient (by fingerprint).')),
        },
        { ...closed, description: 'Channels never used for a precedence or a recipient (by fingerprint). A rule is a channel name or a prefix of it, such as `email:` or `mqtt://broker`. When every channel is forbidden the message fails with FORBIDDEN_CHANNEL. Default: none.' },
      ),
    ),
    maxConcurrentSends: optional(OptionType.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Messages sent at once; more wait their turn. Default 64.', errorMessage: 'expected a whole number of sends, at least 1' })),
    pad: optional(flagOption(true, 'Pad envelopes (messages and acks) to size buckets. Default true.')),
    forwardSecrecy: optional(
      OptionType.Union([mode(''), ForwardSecrecyRulesSchema], {
        description:
          'Envelope version 2 (forward secret; post-quantum with X-Wing prekeys). `required`: never sealed v1; a message waits (`awaiting-prekeys`) until every recipient\'s prekeys arrive, and fails with NO_PREKEY at expiry. `preferred`: v2 when every recipient\'s prekeys are held, else v1, recorded in the outbox record. `off`: v1. A mode applies to all messages, or rules by precedence and by recipient (fingerprint; the strictest of a message\'s recipients wins, then its precedence, then `default`). Default `preferred`.',
        errorMessage: 'expected required, preferred, off or rules ({ default, precedence, recipient, channel })',
      }),
    ),
  },
  { ...closed, description: 'How the node routes: failover or fan-out, retries, breakers, ack deadlines, forbidden channels, forward secrecy. Default: every default.', errorMessage: 'expected an object (NodePolicy)' },
);

/** How the node routes (NodePolicySchema describes each field and its default). Every field is optional. */
export interface NodePolicy extends OptionsOf<typeof NodePolicySchema> {}
export interface ForwardSecrecyRules extends OptionsOf<typeof ForwardSecrecyRulesSchema> {}
