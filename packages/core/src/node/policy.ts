import { OptionsError } from '../errors.js';
import type { Precedence } from '../precedence.js';
import type { ForwardSecrecy, ForwardSecrecyRules, NodePolicy } from './policy-schema.js';

export { FORWARD_SECRECY_MODES, NodePolicySchema, type ForwardSecrecy, type ForwardSecrecyRules, type NodePolicy } from './policy-schema.js';

export type ResolvedPolicy = Required<Omit<NodePolicy, 'forbid' | 'ackDeadlineMs' | 'forwardSecrecy'>> & {
  readonly ackDeadlineMs: Readonly<Record<Precedence, number>>;
  readonly forbid: NonNullable<NodePolicy['forbid']>;
  readonly forwardSecrecy: Required<Pick<ForwardSecrecyRules, 'default'>> & ForwardSecrecyRules;
};

export const DEFAULT_ACK_DEADLINE_MS: Readonly<Record<Precedence, number>> = {
  FLASH: 30_000,
  IMMEDIATE: 120_000,
  PRIORITY: 600_000,
  ROUTINE: 1_800_000,
};

/**
 * The policy with every default filled in. Its shape (types, ranges, precedences, modes, unknown keys) is checked
 * with createNode's other options (NodePolicySchema); what is left here is what a schema cannot say.
 */
export function resolvePolicy(policy: NodePolicy = {}): ResolvedPolicy {
  return {
    fanOut: policy.fanOut ?? ['FLASH'],
    // A precedence given as undefined keeps its default.
    ackDeadlineMs: { ...DEFAULT_ACK_DEADLINE_MS, ...Object.fromEntries(Object.entries(policy.ackDeadlineMs ?? {}).filter(([, value]) => value !== undefined)) },
    ackDeadlineGrowth: policy.ackDeadlineGrowth ?? 2,
    retriesPerChannel: policy.retriesPerChannel ?? 2,
    retryMinDelayMs: policy.retryMinDelayMs ?? 250,
    maxBackoffMs: policy.maxBackoffMs ?? 60_000,
    sendTimeoutMs: policy.sendTimeoutMs ?? 15_000,
    breakerThreshold: policy.breakerThreshold ?? 3,
    breakerCooldownMs: policy.breakerCooldownMs ?? 5_000,
    forbid: policy.forbid ?? {},
    maxConcurrentSends: policy.maxConcurrentSends ?? 64,
    pad: policy.pad ?? true,
    forwardSecrecy: resolveForwardSecrecy(policy.forwardSecrecy),
  };
}

function resolveForwardSecrecy(value: NodePolicy['forwardSecrecy']): ResolvedPolicy['forwardSecrecy'] {
  if (value === undefined) return { default: 'preferred' };
  if (typeof value === 'string') return { default: value };
  if (Object.hasOwn(value.channel ?? {}, '')) throw new OptionsError('createNode: policy.forwardSecrecy.channel: a rule needs a channel name prefix such as mqtt or dir:');
  return { ...value, default: value.default ?? 'preferred' };
}

const STRICTNESS: Readonly<Record<ForwardSecrecy, number>> = { off: 0, preferred: 1, required: 2 };

/**
 * The mode for one message: the strictest recipient rule, else its precedence's, else the default; raised to
 * `required` when every channel it may go over (`channels`, the allowed ones' names) requires forward secrecy.
 */
export function forwardSecrecyFor(policy: ResolvedPolicy, precedence: Precedence, recipients: readonly string[], channels: readonly string[] = []): ForwardSecrecy {
  const rules = policy.forwardSecrecy;
  const byRecipient = recipients.map((fingerprint) => rules.recipient?.[fingerprint]).filter((mode): mode is ForwardSecrecy => mode !== undefined);
  const base = byRecipient.length > 0 ? byRecipient.reduce((a, b) => (STRICTNESS[b] > STRICTNESS[a] ? b : a)) : (rules.precedence?.[precedence] ?? rules.default);
  return channels.length > 0 && channels.every((channel) => channelRequiresForwardSecrecy(policy, channel)) ? 'required' : base;
}

/** Whether a `forwardSecrecy.channel` rule keeps version-1 envelopes off `channel`. */
export function channelRequiresForwardSecrecy(policy: ResolvedPolicy, channel: string): boolean {
  return Object.entries(policy.forwardSecrecy.channel ?? {}).some(([prefix, mode]) => mode === 'required' && channel.startsWith(prefix));
}

/** Whether `channel` is forbidden for a message of this precedence to these recipients. */
export function isForbidden(policy: ResolvedPolicy, channel: string, precedence: Precedence, recipients: readonly string[]): boolean {
  const matches = (rules: readonly string[] | undefined): boolean => (rules ?? []).some((rule) => channel.startsWith(rule));
  if (matches(policy.forbid.precedence?.[precedence])) return true;
  return recipients.some((fingerprint) => matches(policy.forbid.recipient?.[fingerprint]));
}
