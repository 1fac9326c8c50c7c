import type { RoundTripEstimate } from './transport-kit/rtt.js';

/**
 * The small interface every channel implements. Transports move opaque sealed
 * bytes only: they never see plaintext, keys or identities, just routing tags.
 * One package per transport exports a factory (`dirTransport(init)`,
 * `webSocketTransport(init)`, …) returning an object of this shape.
 */

export interface TransportCapabilities {
  /** Largest envelope, in bytes, the channel carries. The router skips channels too small for an envelope. */
  readonly maxEnvelopeBytes: number;
  /** True when the peer must be online at the same time (no store-and-forward in between). */
  readonly requiresPeerOnline: boolean;
  /** True when something in between (relay, broker, mail server, shared folder) holds envelopes for offline peers. */
  readonly storeAndForward: boolean;
  /** How inbound envelopes arrive: pushed by the other side, or found by polling. */
  readonly delivery: 'push' | 'poll';
}

export type HealthState = 'up' | 'degraded' | 'down';

export interface TransportHealth {
  readonly state: HealthState;
  /** Why the channel is degraded or down, for operators; never contains secrets. */
  readonly reason?: string;
  /** Last time (ms since the epoch) the channel moved an envelope either way. */
  readonly lastSuccess?: number;
  /** When the channel entered this state (ms since the epoch). */
  readonly since: number;
}

/** Where an envelope goes: its id and the opaque routing tags (hex) of its recipients. */
export interface Route {
  readonly messageId: string;
  readonly routingTags: readonly string[];
  /** Expiry in ms since the epoch; a channel may drop the envelope after it. */
  readonly expiresAt: number;
}

/** The channel's confirmation that a relay, broker, mail server or folder has stored the envelope. */
export interface SendReceipt {
  readonly channel: string;
  readonly acceptedAt: number;
}

export interface InboundEnvelope {
  readonly bytes: Uint8Array;
  /** Name of the channel that carried it. */
  readonly channel: string;
  readonly receivedAt: number;
}

export interface TransportStartOptions {
  /** Routing tags (hex) of the local identity: the channel collects envelopes carrying them (the initial set; see updateRoutingTags). */
  readonly routingTags: readonly string[];
  /**
   * Hands an inbound envelope to the node. The promise resolves once the node has
   * stored it durably (or refused it for good); only then may the channel remove
   * it at the source or acknowledge it upstream. A rejection means "keep it and
   * offer it again later".
   */
  readonly deliver: (envelope: InboundEnvelope) => Promise<void>;
  readonly signal?: AbortSignal;
}

export interface OperationOptions {
  readonly signal?: AbortSignal;
}

export type TransportEvent =
  | { readonly type: 'health'; readonly health: TransportHealth }
  | { readonly type: 'error'; readonly error: Error }
  /**
   * The clock of whatever holds envelopes (a relay, in its handshake), measured against this machine's:
   * `offsetMs` is how far that clock is ahead (negative: behind). The node corrects its own clock from it.
   */
  | { readonly type: 'clock'; readonly offsetMs: number };

/**
 * Lifecycle, as the compliance suite checks it: created (health `down`, "not
 * started") → `start()` → running → `stop()` → stopped for good (health `down`,
 * "stopped"; a stopped transport is not restarted, make a new one). Aborting
 * the start signal later stops the transport. A second `start()` is refused
 * with ALREADY_STARTED. Every transport gets this from core's transport kit
 * (`transportLifecycle`; docs/architecture.md, "Transport lifecycle").
 */
export interface Transport {
  /** Stable name, usually the channel URL without credentials, e.g. `dir:/mnt/usb/herald`. */
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  start(options: TransportStartOptions): Promise<void>;
  /**
   * Replace the set of mailboxes collected (full set, hex tags). Resolves once the new set is collected; tags no
   * longer listed stop being collected. Optional: the node calls it when a version-2 identity's epoch tags move
   * (docs/protocol.md section 5.4); a channel without it is stopped and started again with the new set.
   */
  updateRoutingTags?(routingTags: readonly string[], options?: OperationOptions): Promise<void>;
  /** Stops sending and receiving; in-flight deliveries finish first (the signal only cuts that wait short). Idempotent. */
  stop(options?: OperationOptions): Promise<void>;
  /**
   * Resolves once the channel has accepted the envelope (stored by whatever
   * holds it). Rejects with a TransportError carrying `retryable`.
   */
  send(envelope: Uint8Array, route: Route, options?: OperationOptions): Promise<SendReceipt>;
  health(): TransportHealth;
  /** Subscribes to health changes and non-fatal errors; returns the unsubscribe function. */
  subscribe(listener: (event: TransportEvent) => void): () => void;
  /**
   * The round-trip time the channel measured to whatever holds envelopes (relay, broker, server), when it has
   * any: the node sizes its send attempts and ack deadlines from it. Optional: channels without a round trip
   * (a folder, an operator) leave it out.
   */
  roundTrip?(): RoundTripEstimate | undefined;
  /**
   * A prekey directory the channel offers (a Herald relay: docs/relay-protocol.md 4.3). Optional: only channels
   * with a server that keeps one have it.
   */
  readonly prekeys?: PrekeyDirectory;
}

/**
 * Signed prekey bundles (docs/protocol.md 16) kept by the server behind a channel. The server can withhold a
 * bundle but not forge one: whatever `fetch` returns is checked against the recipient's card before use.
 */
export interface PrekeyDirectory {
  /** Uploads a bundle of the channel identity's own prekeys for its mailbox; resolves how many one-time prekeys the directory now holds for it. */
  upload(bundle: Uint8Array, options?: OperationOptions): Promise<number>;
  /** A bundle for the mailbox `routingTag` (hex) names, each one-time prekey in it handed out once; undefined when none is held. Unverified. */
  fetch(routingTag: string, options?: OperationOptions): Promise<Uint8Array | undefined>;
}
