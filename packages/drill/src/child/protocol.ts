import type { Precedence } from '@herald/core';

/**
 * The line-oriented JSON spoken between the orchestrator and a node process:
 * commands on the node's stdin, events on its stdout (one object per line).
 * Plaintext never travels here: the node reports message keys, ids and sizes.
 */
export type NodeCommand =
  | { readonly cmd: 'send'; readonly key: string; readonly to: readonly string[]; readonly precedence: Precedence; readonly size: number }
  | { readonly cmd: 'take'; readonly spool: string }
  | { readonly cmd: 'outbox' }
  /** The operator's step of `herald incident`: take the list (hex), send it FLASH to every contact but `except`. */
  | { readonly cmd: 'publish-revocations'; readonly list: string; readonly except: readonly string[] };

export type NodeEventLine =
  | { readonly ev: 'ready'; readonly at: number }
  | { readonly ev: 'enqueued'; readonly key: string; readonly id: string; readonly at: number; readonly sentAt: number }
  | { readonly ev: 'send-failed'; readonly key: string; readonly code: string; readonly at: number }
  | { readonly ev: 'status'; readonly id: string; readonly status: string; readonly channel?: string; readonly at: number }
  /** One send of a message on one channel (the node's `attempt` event): where a slow message's time went. */
  | { readonly ev: 'attempt'; readonly id: string; readonly channel: string; readonly outcome: string; readonly code?: string; readonly at: number }
  /** A channel's health changed (up, degraded, down, with why). */
  | { readonly ev: 'health'; readonly channel: string; readonly state: string; readonly reason?: string; readonly at: number }
  | { readonly ev: 'got'; readonly key: string; readonly id: string; readonly channel: string; readonly precedence: Precedence; readonly at: number }
  | { readonly ev: 'ack'; readonly key: string; readonly at: number }
  | { readonly ev: 'bytes'; readonly sent: Record<string, number>; readonly received: Record<string, number>; readonly at: number }
  | { readonly ev: 'taken'; readonly delivered: number; readonly failed: number; readonly at: number }
  | { readonly ev: 'outbox'; readonly records: readonly OutboxSummary[]; readonly at: number }
  | { readonly ev: 'error'; readonly message: string; readonly at: number }
  /** This node's trust policy now refuses contact `contact`'s key. */
  | { readonly ev: 'refuses'; readonly contact: string; readonly at: number };

export interface OutboxSummary {
  readonly id: string;
  readonly status: string;
  /** Attempts in the (bounded) attempt log, by outcome. */
  readonly accepted: number;
  readonly failed: number;
  readonly channels: readonly string[];
}

export type ChannelConfig =
  | { readonly kind: 'relay'; readonly url: string }
  | { readonly kind: 'mqtt'; readonly url: string }
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'bundle'; readonly path: string }
  | {
      readonly kind: 'email';
      readonly address: string;
      readonly password: string;
      readonly ca: string;
      readonly smtpPort: number;
      readonly imapPort: number;
      /** Routing tag (hex) → address of every other node. */
      readonly addressBook: Readonly<Record<string, string>>;
    };

/** Written by the orchestrator (mode 0600: it may hold the mail password) and read by the node process at start. */
export interface NodeConfig {
  readonly name: string;
  readonly keyFile: string;
  readonly storePath: string;
  /** Contact cards as text, by node name. */
  readonly contacts: Readonly<Record<string, string>>;
  readonly channels: readonly ChannelConfig[];
  /** A durable prekey store (envelope v2) at `path`, rotating on `rotation`; sends then live `ttlSeconds`. */
  readonly prekeys?: { readonly path: string; readonly rotation: { readonly everySeconds: number; readonly sealForSeconds: number; readonly openForSeconds: number }; readonly ttlSeconds: number };
  /** Every envelope this node sends is appended here (seizure drills). */
  readonly capturePath?: string;
  /** Organisation trust (drills with a revoke fault): the authority's card and this node's certificate chain, as text. */
  readonly trust?: { readonly authority: string; readonly chain: string };
  readonly policy: {
    readonly ackDeadlineMs: Readonly<Record<Precedence, number>>;
    readonly sendTimeoutMs: number;
    readonly retryMinDelayMs: number;
    readonly maxBackoffMs: number;
    readonly breakerCooldownMs: number;
    readonly heartbeatMs: number;
    readonly pollMs: number;
  };
}

/** The application payload: a key the receiver reports, padded to the drill's size with filler. */
export function payloadFor(key: string, size: number): string {
  const head = `drill ${key} `;
  return head + '.'.repeat(Math.max(0, size - head.length));
}

export function keyOf(text: string): string | undefined {
  return /^drill (\S+) /.exec(text)?.[1];
}
