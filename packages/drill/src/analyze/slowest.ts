import type { Delivery, Recorder } from '../recorder.js';

/** One of the slowest first hand-outs, with the sender's steps in ms after its send() (why it was slow). */
export interface SlowMessage {
  readonly key: string;
  readonly to: string;
  readonly precedence: string;
  readonly size: number;
  readonly latencyMs: number;
  readonly channel: string;
  /** "enqueued +3 ms", "failed CHANNEL_UNAVAILABLE (attempt) relay +786 ms", "accepted (attempt) mqtt +1210 ms", … in order. */
  readonly steps: readonly string[];
}

/** Slow messages listed in a report: the tail a latency target judges. */
export const SLOWEST_LISTED = 5;

const since = (at: number, from: number): string => `+${Math.max(0, at - from)} ms`;

/** The `count` slowest first hand-outs, slowest first, each with what happened at the sender. */
export function slowestMessages(recorder: Recorder, deliveries: readonly (Delivery & { latencyMs: number })[], count = SLOWEST_LISTED): SlowMessage[] {
  return [...deliveries]
    .sort((a, b) => b.latencyMs - a.latencyMs)
    .slice(0, count)
    .map((delivery) => {
      const sent = recorder.sent.get(delivery.key);
      const from = sent?.sentAt ?? delivery.at - delivery.latencyMs;
      const steps = [
        ...(sent?.enqueuedAt !== undefined ? [{ what: 'enqueued', at: sent.enqueuedAt }] : []),
        ...(sent?.steps ?? []).map((step) => ({ what: step.channel ? `${step.status} ${step.channel}` : step.status, at: step.at })),
        { what: `handed out at ${delivery.node} via ${delivery.channel}`, at: delivery.at },
      ].sort((a, b) => a.at - b.at);
      return {
        key: delivery.key,
        to: delivery.node,
        precedence: delivery.precedence,
        size: sent?.size ?? 0,
        latencyMs: delivery.latencyMs,
        channel: delivery.channel,
        steps: steps.map((step) => `${step.what} ${since(step.at, from)}`),
      };
    });
}
