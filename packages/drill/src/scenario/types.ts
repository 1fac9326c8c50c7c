import type { Precedence } from '@herald/core';

/** Channels a drill can give its nodes, in the default order of preference. */
export const CHANNEL_KINDS = ['relay', 'mqtt', 'email', 'dir', 'bundle'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
/** Channels that cross a network (through a fault proxy); the others are offline channels. */
export const NETWORK_CHANNELS: ReadonlySet<ChannelKind> = new Set(['relay', 'mqtt', 'email']);

export type BrokerKind = 'embedded' | 'mosquitto' | 'auto' | 'none';
/** `required`: the drill fails when the service cannot run here; `optional`: the channel is skipped with a note. */
export type Need = 'off' | 'optional' | 'required';

export interface Topology {
  readonly relay: boolean;
  /**
   * The relay as a cluster: two relay processes (`relay`, `relay-b`) on a three-node NATS JetStream cluster
   * (`nats`: one of its nodes, for faults), nodes alternating between the two relays. Needs nats-server.
   */
  readonly relayCluster: boolean;
  /** auto: Mosquitto when installed, else the embedded broker. mosquitto: required. */
  readonly broker: BrokerKind;
  readonly email: Need;
  readonly dir: boolean;
  readonly bundle: boolean;
}

export interface NodeSpec {
  readonly name: string;
  /** Order of preference; defaults to every channel the topology has. */
  readonly channels?: readonly ChannelKind[];
}

export interface LoadSpec {
  readonly durationMs: number;
  /** Messages per second, over all senders. */
  readonly rate: number;
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** Payload sizes in bytes, one picked at random per message. */
  readonly sizes: readonly number[];
  /** Precedence → weight. */
  readonly precedences: Readonly<Partial<Record<Precedence, number>>>;
  /** Recipients per message (a multi-recipient envelope when more than 1). */
  readonly recipients: number;
}

export type CutMode = 'blackhole' | 'reset' | 'delay' | 'bandwidth' | 'drop';

export interface LinkFault {
  readonly mode: CutMode;
  /** delay: added per chunk each way. */
  readonly delayMs?: number;
  /**
   * delay: fraction of chunks lost on the wire and recovered by TCP (0..1): such a chunk, and everything behind it
   * (head-of-line blocking), arrives one retransmission timeout later (two delays plus 200 ms), again with the same odds.
   */
  readonly lossRate?: number;
  /** bandwidth: bytes per second each way. */
  readonly bytesPerSecond?: number;
  /** drop: fraction of data chunks silently discarded (0..1). */
  readonly dropRate?: number;
}

export type FaultAction =
  | { readonly kind: 'kill'; readonly target: string; readonly restartAfterMs?: number }
  | ({ readonly kind: 'cut'; readonly channel: ChannelKind; readonly nodes?: readonly string[]; readonly forMs?: number } & LinkFault)
  | ({ readonly kind: 'flap'; readonly channel: ChannelKind; readonly nodes?: readonly string[]; readonly downMs: number; readonly upMs: number; readonly forMs: number } & LinkFault)
  | ({ readonly kind: 'blackout'; readonly forMs?: number } & LinkFault)
  | { readonly kind: 'courier'; readonly from: string; readonly to: string }
  /** The drill's authority revokes `target`'s key; node `by` (the operator) takes the list and sends it FLASH to every other node, as `herald incident lost-device` does. */
  | { readonly kind: 'revoke'; readonly target: string; readonly by: string; readonly reason: 'lost' | 'compromised' }
  /** Copies `target`'s key file and prekey secrets as they are now; after the drill an adversary opens what it can of the captured envelopes. */
  | { readonly kind: 'seize'; readonly target: string };

export interface Fault {
  readonly name: string;
  readonly atMs: number;
  readonly action: FaultAction;
}

export type Target =
  /** `maxMs`: the bound, with the scenario's round trips already added when the file asked for `roundTrips`. */
  | { readonly metric: 'latency'; readonly name: string; readonly precedence?: Precedence; readonly channel?: string; readonly percentile: number; readonly maxMs: number; readonly during?: string }
  | { readonly metric: 'failover'; readonly name: string; readonly fault: string; readonly maxMs: number }
  | { readonly metric: 'deliveries'; readonly name: string; readonly channel: string; readonly min: number }
  /** From a `revoke` fault to the moment every other node refuses the revoked key. */
  | { readonly metric: 'revocation'; readonly name: string; readonly fault: string; readonly maxMs: number }
  /** From the start of the load to the first message reaching any application. */
  | { readonly metric: 'first-delivery'; readonly name: string; readonly maxMs: number }
  /** Acceptances beyond each message's first (hedged resends, fan-out copies), per message sent. */
  | { readonly metric: 'extra-acceptances'; readonly name: string; readonly maxRatio: number };

/** Tuning handed to every node (milliseconds). */
export interface DrillPolicy {
  readonly ackDeadlineMs: Readonly<Record<Precedence, number>>;
  readonly sendTimeoutMs: number;
  readonly retryMinDelayMs: number;
  readonly maxBackoffMs: number;
  readonly breakerCooldownMs: number;
  /** Channel liveness: WebSocket heartbeat and MQTT keep-alive. */
  readonly heartbeatMs: number;
  /** dir: and bundle: folder polls; e-mail mailbox polls besides IDLE. */
  readonly pollMs: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly topology: Topology;
  readonly nodes: readonly NodeSpec[];
  readonly policy: DrillPolicy;
  readonly load: LoadSpec;
  readonly faults: readonly Fault[];
  readonly targets: readonly Target[];
  /** After the load: how long to wait for everything to be delivered before judging. */
  readonly settleMs: number;
  /** Nodes keep prekey stores (envelope v2) on this schedule; messages then live `openForSeconds` at most. */
  readonly prekeys?: DrillPrekeys;
}

/** `prekeys:` — drill nodes get durable prekey stores, rotating on a schedule of seconds. */
export interface DrillPrekeys {
  readonly everySeconds: number;
  readonly sealForSeconds: number;
  readonly openForSeconds: number;
}

/** The channels a topology offers, in the default order of preference. */
export function topologyChannels(topology: Topology): ChannelKind[] {
  const on: Record<ChannelKind, boolean> = { relay: topology.relay, mqtt: topology.broker !== 'none', email: topology.email !== 'off', dir: topology.dir, bundle: topology.bundle };
  return CHANNEL_KINDS.filter((kind) => on[kind]);
}
