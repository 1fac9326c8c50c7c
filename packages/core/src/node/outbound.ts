import { HeraldError } from '../errors.js';
import type { OutboxRecord, OutboundStatus } from '../store.js';
import type { Route } from '../transport.js';
import { followRoundTrip, TIMEOUT_CEILINGS } from '../transport-kit/rtt.js';
import { jitter, type Semaphore } from './async.js';
import type { NodeEvent } from './api.js';
import type { Channel } from './channel.js';
import { channelRequiresForwardSecrecy, isForbidden, type ResolvedPolicy } from './policy.js';
import { TERMINAL, withAttempt, type OutboxRecords } from './records.js';

/**
 * Drives one outbound message until it is delivered (every recipient acked),
 * expires, or fails for good: ordered failover or fan-out, then hedging over
 * the next channel whenever the end-to-end ack deadline passes.
 */
export interface DispatchContext {
  readonly channels: readonly Channel[];
  readonly policy: ResolvedPolicy;
  readonly records: OutboxRecords;
  readonly sending: Semaphore;
  readonly signal: AbortSignal;
  setStatus(id: string, status: OutboundStatus, detail?: { channel?: string; failure?: { code: string; message: string } }): Promise<void>;
  /** Registers a wake-up for when the record changes (an ack arrives) or the node stops. Returns the unregister function. */
  onChange(id: string, wake: () => void): () => void;
  /** Registers a wake-up for when a channel that was down comes back. Returns the unregister function. */
  onChannelBack(wake: () => void): () => void;
  /** The corrected time (node/clock.ts): records expire by the clock they were sealed with. */
  now(): number;
  /** Tells subscribers about each attempt and each next attempt planned (`herald send -v`). */
  emit(event: NodeEvent): void;
}

interface Plan {
  readonly usable: readonly Channel[];
  readonly failure?: { code: string; message: string };
}

function planFor(context: DispatchContext, record: OutboxRecord): Plan {
  const allowed = context.channels.filter((channel) => !isForbidden(context.policy, channel.name, record.precedence, record.recipients));
  if (allowed.length === 0) {
    return { usable: [], failure: { code: 'FORBIDDEN_CHANNEL', message: `every channel is forbidden for ${record.precedence} to ${record.recipients.join(', ')}` } };
  }
  const usable = allowed.filter((channel) => channel.transport.capabilities.maxEnvelopeBytes >= record.envelope.length);
  if (usable.length === 0) return { usable, failure: { code: 'NO_CHANNEL', message: `no allowed channel carries an envelope of ${record.envelope.length} bytes` } };
  // A channel that requires forward secrecy never carries a version-1 envelope (records from before v2 have no version).
  if ((record.envelopeVersion ?? 1) === 2) return { usable };
  const carriesV1 = usable.filter((channel) => !channelRequiresForwardSecrecy(context.policy, channel.name));
  if (carriesV1.length === 0) return { usable: carriesV1, failure: { code: 'FORBIDDEN_CHANNEL', message: 'every channel that carries this envelope requires forward secrecy, and it is sealed version 1' } };
  return { usable: carriesV1 };
}

function routeOf(record: OutboxRecord): Route {
  return { messageId: record.envelopeId ?? record.id, routingTags: record.routingTags, expiresAt: record.expiresAt };
}

/** One send on one channel, logged in the attempt record. Returns whether it accepted, and whether a failure is permanent. */
async function attemptOn(context: DispatchContext, record: OutboxRecord, channel: Channel): Promise<{ accepted: boolean; permanent: boolean }> {
  const release = await context.sending.acquire();
  if (!release) return { accepted: false, permanent: false };
  try {
    await channel.send(record.envelope, routeOf(record), context.signal);
    const at = Date.now();
    await context.records.update(record.id, (current) => ({
      ...withAttempt(current, { channel: channel.name, at, outcome: 'accepted' }),
      acceptedBy: current.acceptedBy.includes(channel.name) ? current.acceptedBy : [...current.acceptedBy, channel.name],
    }));
    context.emit({ type: 'attempt', id: record.id, channel: channel.name, outcome: 'accepted' });
    const current = context.records.get(record.id);
    if (current?.status === 'queued') await context.setStatus(record.id, 'accepted', { channel: channel.name });
    return { accepted: true, permanent: false };
  } catch (error) {
    const code = error instanceof HeraldError ? error.code : 'CHANNEL_UNAVAILABLE';
    if (!context.signal.aborted) {
      await context.records.update(record.id, (current) => withAttempt(current, { channel: channel.name, at: Date.now(), outcome: 'failed', code }));
      context.emit({ type: 'attempt', id: record.id, channel: channel.name, outcome: 'failed', code, message: error instanceof Error ? error.message : String(error) });
    }
    return { accepted: false, permanent: error instanceof HeraldError && !error.retryable && code !== 'ABORTED' };
  } finally {
    release();
  }
}

/** Whether the channel can take a send now; if not, says so to subscribers. */
function availableNow(context: DispatchContext, record: OutboxRecord, channel: Channel): boolean {
  if (channel.available(Date.now())) return true;
  const health = channel.transport.health();
  const message = health.state === 'down' ? `down${health.reason ? `: ${health.reason}` : ''}` : `breaker ${channel.breaker.state}: resting after failures`;
  context.emit({ type: 'attempt', id: record.id, channel: channel.name, outcome: 'skipped', code: 'CHANNEL_UNAVAILABLE', message });
  return false;
}

async function fanOutPass(context: DispatchContext, record: OutboxRecord, usable: readonly Channel[]): Promise<{ acceptedIndex: number; allPermanent: boolean }> {
  const candidates = usable.filter((channel) => availableNow(context, record, channel));
  const results = await Promise.all(candidates.map((channel) => attemptOn(context, record, channel)));
  const acceptedIndex = results.findIndex((result) => result.accepted);
  return { acceptedIndex, allPermanent: results.length === usable.length && results.every((result) => result.permanent) };
}

/** Tries channels from `cursor` round the list once; stops at the first acceptance. */
async function orderedPass(context: DispatchContext, record: OutboxRecord, usable: readonly Channel[], cursor: number): Promise<{ acceptedIndex: number; allPermanent: boolean }> {
  let permanent = 0;
  for (let step = 0; step < usable.length && !context.signal.aborted; step++) {
    const index = (cursor + step) % usable.length;
    const channel = usable[index];
    if (!channel || !availableNow(context, record, channel)) continue;
    const result = await attemptOn(context, record, channel);
    if (result.accepted) return { acceptedIndex: index, allPermanent: false };
    if (result.permanent) permanent++;
  }
  return { acceptedIndex: -1, allPermanent: permanent === usable.length };
}

export async function dispatch(context: DispatchContext, id: string): Promise<void> {
  let cursor = 0;
  let hedges = 0;
  let failedPasses = 0;
  let resumeWait = resumeDelay(context, id);
  while (!context.signal.aborted) {
    const record = context.records.get(id);
    if (!record || TERMINAL.has(record.status)) return;
    if (record.status === 'awaiting-prekeys') {
      // Sealed (and woken) by the node when the recipients' prekeys arrive; never sealed v1.
      if (context.now() >= record.expiresAt) return context.setStatus(id, 'failed', { failure: noPrekeyFailure(record) });
      await waitForChange(context, id, Math.min(record.expiresAt - context.now(), MAX_TIMER_MS));
      continue;
    }
    if (context.now() >= record.expiresAt) return context.setStatus(id, 'expired');
    const plan = planFor(context, record);
    if (plan.failure) return context.setStatus(id, 'failed', { failure: plan.failure });
    const fanOut = context.policy.fanOut.includes(record.precedence);

    let acceptedIndex = -1;
    if (resumeWait === undefined) {
      const pass = fanOut ? await fanOutPass(context, record, plan.usable) : await orderedPass(context, record, plan.usable, cursor);
      acceptedIndex = pass.acceptedIndex;
      if (acceptedIndex < 0 && pass.allPermanent) {
        return context.setStatus(id, 'failed', { failure: { code: 'NO_CHANNEL', message: 'every channel refused the envelope permanently' } });
      }
    }

    let waitMs: number;
    let reason: 'no-channel-took-it' | 'ack-deadline' = 'ack-deadline';
    if (resumeWait !== undefined) {
      // Restarted while waiting for an ack: wait out what is left of the deadline, then hedge from the next channel.
      waitMs = resumeWait.ms;
      cursor = (plan.usable.findIndex((channel) => channel.name === resumeWait?.channel) + 1) % plan.usable.length;
      resumeWait = undefined;
    } else if (acceptedIndex < 0) {
      failedPasses++;
      reason = 'no-channel-took-it';
      const backoff = Math.min(context.policy.maxBackoffMs, context.policy.retryMinDelayMs * 2 ** Math.min(failedPasses, 20));
      waitMs = backoff / 2 + jitter() * (backoff / 2);
      cursor = 0;
    } else {
      failedPasses = 0;
      const cycle = Math.floor(hedges / plan.usable.length);
      waitMs = ackDeadline(context.policy.ackDeadlineMs[record.precedence], plan.usable[acceptedIndex]) * context.policy.ackDeadlineGrowth ** cycle;
      cursor = fanOut ? 0 : (acceptedIndex + 1) % plan.usable.length;
      hedges++;
    }
    const untilMs = Math.min(waitMs, record.expiresAt - context.now());
    if (untilMs > 0) {
      const next = reason === 'ack-deadline' ? plan.usable[cursor]?.name : undefined;
      context.emit({ type: 'next-attempt', id, at: Date.now() + untilMs, reason, ...(next !== undefined ? { channel: next } : {}) });
    }
    // After a pass no channel took, a channel coming back ends the backoff (an ack deadline is waited out whatever happens).
    await waitForChange(context, id, untilMs, reason === 'no-channel-took-it');
  }
}

/**
 * How long to wait for the end-to-end ack after `channel` accepted: the configured deadline (time for the far side to
 * collect and answer), plus two of the channel's measured round trips and their variation — the envelope's way on to
 * the recipient and the ack's way back, over links like ours. On a fast link that adds next to nothing; on a
 * satellite's it keeps a resend from going out while the ack is still on its way. At most TIMEOUT_CEILINGS.ackDeadlineMs
 * unless the configured deadline is longer.
 */
function ackDeadline(configuredMs: number, channel: Channel | undefined): number {
  const estimate = channel?.transport.roundTrip?.();
  return estimate === undefined ? configuredMs : followRoundTrip(estimate, configuredMs, TIMEOUT_CEILINGS.ackDeadlineMs, 2, configuredMs);
}

/** setTimeout's longest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function noPrekeyFailure(record: OutboxRecord): { code: string; message: string } {
  return { code: 'NO_PREKEY', message: `forward secrecy is required and no usable prekey of ${record.recipients.join(', ')} arrived before the message expired` };
}

function resumeDelay(context: DispatchContext, id: string): { ms: number; channel: string } | undefined {
  const record = context.records.get(id);
  const lastAccepted = record?.attempts.filter((attempt) => attempt.outcome === 'accepted').at(-1);
  if (!record || !lastAccepted) return undefined;
  const elapsed = Date.now() - lastAccepted.at;
  const remaining = context.policy.ackDeadlineMs[record.precedence] - elapsed;
  return remaining > 0 ? { ms: remaining, channel: lastAccepted.channel } : undefined;
}

/** Sleeps until the deadline or a change to the record (an ack, expiry, node stop), or a channel back (`channelBack`), whichever comes first. */
async function waitForChange(context: DispatchContext, id: string, ms: number, channelBack = false): Promise<void> {
  if (ms <= 0 || context.signal.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    const unregister = context.onChange(id, done);
    const unregisterBack = channelBack ? context.onChannelBack(done) : () => undefined;
    function done(): void {
      clearTimeout(timer);
      unregister();
      unregisterBack();
      resolve();
    }
  });
}
