import type { Identity, Transport } from '@herald/core';

/** What the suite tells `setup` before it builds the transports, for adapters that must be configured per recipient. */
export interface ComplianceSetupContext {
  /** Routing tags (hex) the suite starts the receiver with; envelopes for them must reach it. */
  readonly receiverTags: readonly string[];
  /** Routing tags the suite starts the sender with; the suite never addresses anything to them. */
  readonly senderTags: readonly string[];
  /** Routing tags of a recipient nobody in the harness listens for: envelopes for it must reach neither side. */
  readonly strangerTags: readonly string[];
  /**
   * The identities behind those tags, for adapters whose medium makes a client
   * prove it owns a tag (a relay's challenge) or maps tags to addresses. The
   * suite seals with `sender` and addresses `receiver` (and `stranger`).
   */
  readonly identities: { readonly sender: Identity; readonly receiver: Identity; readonly stranger: Identity };
  /** Aborted when the test ends or times out. */
  readonly signal: AbortSignal;
}

/**
 * Two transports joined by the adapter's REAL medium (server, broker, folder),
 * built fresh for every test. They must not be started: the suite starts them
 * with its own routing tags and `deliver` callbacks.
 */
export interface ComplianceHarness {
  /** The side that sends. */
  readonly sender: Transport;
  /** The side that receives (a separate instance, possibly from the same factory with another init). */
  readonly receiver: Transport;
  /**
   * A new receiver-side transport on the same medium with the receiver's
   * settings (same mailbox, session, client id, folder): what a restarted
   * process would create. The suite stops the old receiver first.
   */
  reopenReceiver(): Transport | Promise<Transport>;
  /** Cuts the medium (stop the broker, drop the network, unmount the folder), when the adapter can. Needs `restore`. */
  disrupt?(): Promise<void>;
  /** Undoes `disrupt`. */
  restore?(): Promise<void>;
  /** Releases everything `setup` made. Called after the suite has stopped every transport it started. */
  teardown(): Promise<void>;
}
