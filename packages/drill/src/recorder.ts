import type { Precedence } from '@herald/core';
import type { NodeEventLine } from './child/protocol.js';

export interface SentMessage {
  readonly key: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly precedence: Precedence;
  readonly size: number;
  readonly commandedAt: number;
  /** When node.send() was called and when it resolved (durably enqueued); absent when the sender died first. */
  sentAt?: number;
  enqueuedAt?: number;
  id?: string;
  sendFailed?: string;
  deliveredAt?: number;
  accepted: string[];
  /** The sender's status changes (bounded): where a slow message's time went. */
  steps: { status: string; channel?: string; at: number }[];
}

/** Status changes kept per message: enough for a retried FLASH fan-out, bounded for a flapping one. */
const MAX_STEPS = 16;
/** Health changes kept for a drill: a flapping link changes a few times a second at most. */
const MAX_HEALTH_CHANGES = 2000;

export interface Delivery {
  readonly key: string;
  readonly node: string;
  readonly run: number;
  readonly channel: string;
  readonly precedence: Precedence;
  readonly at: number;
}

export interface FaultRecord {
  readonly name: string;
  readonly kind: string;
  readonly label: string;
  readonly at: number;
  end?: number;
  /** Channels this fault takes away: failover is the time to the next delivery over any other. */
  readonly affects: readonly string[];
  /** Down intervals of a flapping link. */
  readonly downs: { at: number; end?: number }[];
  /** A revoke fault: the node whose key it revoked. */
  readonly revoked?: string;
  /** A seize fault: the node seized. */
  readonly seized?: string;
}

/** Everything the nodes reported, in memory. Bounded by the scenario (its load caps the message count). */
export class Recorder {
  readonly sent = new Map<string, SentMessage>();
  private readonly byId = new Map<string, string>();
  readonly deliveries: Delivery[] = [];
  readonly acks: { key: string; node: string; run: number; at: number }[] = [];
  readonly faults: FaultRecord[] = [];
  readonly errors: string[] = [];
  /** When each node's trust policy began refusing a contact's key (revoke faults). */
  readonly refusals: { node: string; contact: string; at: number }[] = [];
  /** node → run → latest cumulative envelope bytes per channel. */
  readonly bytes = new Map<string, Map<number, { sent: Record<string, number>; received: Record<string, number> }>>();
  /** Channel health changes as the nodes saw them (bounded): reconnects behind a slow tail. */
  readonly health: { node: string; channel: string; state: string; reason?: string; at: number }[] = [];
  courierRuns = 0;

  onEvent(node: string, run: number, event: NodeEventLine): void {
    switch (event.ev) {
      case 'enqueued': {
        const message = this.sent.get(event.key);
        if (!message) return;
        message.sentAt = event.sentAt;
        message.enqueuedAt = event.at;
        message.id = event.id;
        this.byId.set(event.id, event.key);
        return;
      }
      case 'send-failed': {
        const message = this.sent.get(event.key);
        if (message) message.sendFailed = event.code;
        return;
      }
      case 'status': {
        const message = this.sent.get(this.byId.get(event.id) ?? '');
        if (!message) return;
        if (event.status === 'accepted' && event.channel) message.accepted.push(event.channel);
        if (event.status !== 'accepted' && message.steps.length < MAX_STEPS) message.steps.push({ status: event.status, ...(event.channel ? { channel: event.channel } : {}), at: event.at });
        if (event.status === 'delivered') message.deliveredAt ??= event.at;
        return;
      }
      case 'attempt': {
        const message = this.sent.get(this.byId.get(event.id) ?? '');
        if (message && message.steps.length < MAX_STEPS) message.steps.push({ status: `${event.outcome}${event.code ? ` ${event.code}` : ''} (attempt)`, channel: event.channel, at: event.at });
        return;
      }
      case 'health':
        if (this.health.length < MAX_HEALTH_CHANGES) this.health.push({ node, channel: event.channel, state: event.state, ...(event.reason ? { reason: event.reason } : {}), at: event.at });
        return;
      case 'got':
        this.deliveries.push({ key: event.key, node, run, channel: event.channel, precedence: event.precedence, at: event.at });
        return;
      case 'ack':
        this.acks.push({ key: event.key, node, run, at: event.at });
        return;
      case 'bytes': {
        const runs = this.bytes.get(node) ?? new Map();
        this.bytes.set(node, runs);
        runs.set(run, { sent: event.sent, received: event.received });
        return;
      }
      case 'refuses':
        this.refusals.push({ node, contact: event.contact, at: event.at });
        return;
      case 'error':
        if (this.errors.length < 100) this.errors.push(`${node}: ${event.message}`);
        return;
      default:
        return;
    }
  }

  /** Messages the sending application saw enqueued. */
  enqueued(): SentMessage[] {
    return [...this.sent.values()].filter((message) => message.enqueuedAt !== undefined);
  }
}
