import { OptionsError } from '../errors.js';
import { PRECEDENCES, type Precedence } from '../precedence.js';

/**
 * How the node routes: ordered failover or fan-out, retries, circuit breakers,
 * end-to-end ack deadlines, and channels the application forbids. Every field
 * is optional; `resolvePolicy` fills in the documented defaults.
 */
export interface NodePolicy {
  /** Send over all healthy channels at once. Default: FLASH only. */
  readonly fanOut?: readonly Precedence[];
  /** Time from acceptance to the end-to-end ack before the message is sent again over the next channel; two of the accepting channel's measured round trips are added (at most 10 min in all, unless configured longer). */
  readonly ackDeadlineMs?: Partial<Record<Precedence, number>>;
  /** Each later hedge cycle over all channels waits this many times longer (never a higher rate on one channel). Default 2. */
  readonly ackDeadlineGrowth?: number;
  /** Retries of a retryable failure on one channel before failing over, with exponential backoff and jitter. Default 2. */
  readonly retriesPerChannel?: number;
  /** First retry delay on a channel. Default 250 ms. */
  readonly retryMinDelayMs?: number;
  /** Longest wait between passes when no channel accepted. Default 60 s. */
  readonly maxBackoffMs?: number;
  /** Per-attempt timeout of one send on one channel; longer on a channel whose measured round trip needs it (two round trips, at most 120 s). Default 15 s. */
  readonly sendTimeoutMs?: number;
  /** Consecutive failures that open a channel's circuit breaker. Default 3. */
  readonly breakerThreshold?: number;
  /** How long an open breaker waits before a half-open probe; doubles on each failed probe up to 16×. Default 5 s. */
  readonly breakerCooldownMs?: number;
  /**
   * Channels never used for a precedence or a recipient (by fingerprint). A rule
   * is a channel name or a prefix of it, such as `email:` or `mqtt://broker`.
   * When every channel is forbidden the message fails with FORBIDDEN_CHANNEL.
   */
  readonly forbid?: {
    readonly precedence?: Partial<Record<Precedence, readonly string[]>>;
    readonly recipient?: Readonly<Record<string, readonly string[]>>;
  };
  /** Messages sent at once; more wait their turn. Default 64. */
  readonly maxConcurrentSends?: number;
  /** Pad envelopes (messages and acks) to size buckets. Default true. */
  readonly pad?: boolean;
  /**
   * Envelope version 2 (forward secret; post-quantum with X-Wing prekeys).
   * `required`: never sealed v1; a message waits (`awaiting-prekeys`) until
   * every recipient's prekeys arrive, and fails with NO_PREKEY at expiry.
   * `preferred`: v2 when every recipient's prekeys are held, else v1, recorded
   * in the outbox record. `off`: v1. A mode applies to all messages, or rules
   * by precedence and by recipient (fingerprint; the strictest of a message's
   * recipients wins, then its precedence, then `default`). Default `preferred`.
   */
  readonly forwardSecrecy?: ForwardSecrecy | ForwardSecrecyRules;
}

export type ForwardSecrecy = 'required' | 'preferred' | 'off';
export const FORWARD_SECRECY_MODES: readonly ForwardSecrecy[] = ['required', 'preferred', 'off'];

export interface ForwardSecrecyRules {
  readonly default?: ForwardSecrecy;
  readonly precedence?: Partial<Record<Precedence, ForwardSecrecy>>;
  readonly recipient?: Readonly<Record<string, ForwardSecrecy>>;
  /**
   * By channel, a prefix of its name as in `forbid` (`mqtt` covers mqtt:// and mqtts://, `ws`, `email:`, `dir:`…).
   * `required`: the channel never carries a version-1 envelope (a v1 message goes over the others, or waits), and a
   * message whose every allowed channel requires it is held for prekeys as under `required`. Other modes set no floor.
   * Acks are exempt: they carry only message ids and public prekeys, and a node must always be able to acknowledge.
   */
  readonly channel?: Readonly<Record<string, ForwardSecrecy>>;
}

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

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new OptionsError(`policy.${name}: expected a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`);
  }
  return value;
}

export function resolvePolicy(policy: NodePolicy = {}): ResolvedPolicy {
  const fanOut = policy.fanOut ?? ['FLASH'];
  for (const precedence of fanOut) if (!PRECEDENCES.includes(precedence)) throw new OptionsError(`policy.fanOut: unknown precedence ${String(precedence)}`);
  const ackDeadlineMs = { ...DEFAULT_ACK_DEADLINE_MS };
  for (const [precedence, value] of Object.entries(policy.ackDeadlineMs ?? {})) {
    if (!PRECEDENCES.includes(precedence as Precedence)) throw new OptionsError(`policy.ackDeadlineMs: unknown precedence ${precedence}`);
    ackDeadlineMs[precedence as Precedence] = positive(`ackDeadlineMs.${precedence}`, value, 0);
  }
  const growth = positive('ackDeadlineGrowth', policy.ackDeadlineGrowth, 2);
  if (growth < 1) throw new OptionsError('policy.ackDeadlineGrowth: expected at least 1');
  const retries = positive('retriesPerChannel', policy.retriesPerChannel, 2, true);
  if (!Number.isInteger(retries)) throw new OptionsError('policy.retriesPerChannel: expected a whole number');
  const concurrency = positive('maxConcurrentSends', policy.maxConcurrentSends, 64);
  if (!Number.isInteger(concurrency)) throw new OptionsError('policy.maxConcurrentSends: expected a whole number');
  return {
    fanOut,
    ackDeadlineMs,
    ackDeadlineGrowth: growth,
    retriesPerChannel: retries,
    retryMinDelayMs: positive('retryMinDelayMs', policy.retryMinDelayMs, 250),
    maxBackoffMs: positive('maxBackoffMs', policy.maxBackoffMs, 60_000),
    sendTimeoutMs: positive('sendTimeoutMs', policy.sendTimeoutMs, 15_000),
    breakerThreshold: positive('breakerThreshold', policy.breakerThreshold, 3),
    breakerCooldownMs: positive('breakerCooldownMs', policy.breakerCooldownMs, 5_000),
    forbid: policy.forbid ?? {},
    maxConcurrentSends: concurrency,
    pad: policy.pad ?? true,
    forwardSecrecy: resolveForwardSecrecy(policy.forwardSecrecy),
  };
}

function checkMode(name: string, mode: unknown): ForwardSecrecy {
  if (!FORWARD_SECRECY_MODES.includes(mode as ForwardSecrecy)) throw new OptionsError(`policy.${name}: expected required, preferred or off, got ${String(mode)}`);
  return mode as ForwardSecrecy;
}

function resolveForwardSecrecy(value: NodePolicy['forwardSecrecy']): ResolvedPolicy['forwardSecrecy'] {
  if (value === undefined) return { default: 'preferred' };
  if (typeof value === 'string') return { default: checkMode('forwardSecrecy', value) };
  if (typeof value !== 'object' || value === null) throw new OptionsError(`policy.forwardSecrecy: expected a mode or rules, got ${String(value)}`);
  for (const [precedence, mode] of Object.entries(value.precedence ?? {})) {
    if (!PRECEDENCES.includes(precedence as Precedence)) throw new OptionsError(`policy.forwardSecrecy.precedence: unknown precedence ${precedence}`);
    checkMode(`forwardSecrecy.precedence.${precedence}`, mode);
  }
  for (const [fingerprint, mode] of Object.entries(value.recipient ?? {})) checkMode(`forwardSecrecy.recipient.${fingerprint}`, mode);
  for (const [prefix, mode] of Object.entries(value.channel ?? {})) {
    if (prefix === '') throw new OptionsError('policy.forwardSecrecy.channel: a rule needs a channel name prefix such as mqtt or dir:');
    checkMode(`forwardSecrecy.channel.${prefix}`, mode);
  }
  return { ...value, default: value.default === undefined ? 'preferred' : checkMode('forwardSecrecy.default', value.default) };
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
