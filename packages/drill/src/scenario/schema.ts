import { durationOption, flagOption, jsonSchemaOf, numberOption, oneOfOption, OptionType, perPrecedenceOption, PRECEDENCES, textOption, type OptionsOf } from '@herald/core';
import { CHANNEL_KINDS } from './types.js';

/**
 * The shape of a scenario file (docs/drills.md), declared once: parseScenario checks a file against it (types,
 * ranges, unknown fields) before reading its meaning (node names, a topology's channels, faults in the load's
 * time), and docs/schemas/drill-scenario.schema.json is emitted from it for editors.
 */

/** Names of drills and nodes. */
export const NAME_PATTERN = '^[a-z][a-z0-9-]{0,31}$';
const MODES = ['blackhole', 'reset', 'delay', 'bandwidth', 'drop'] as const;
const NETWORK = ['relay', 'mqtt', 'email'] as const;
const closed = { additionalProperties: false } as const;
const optional = OptionType.Optional;

const name = (description: string) => textOption('lower-case letters, digits and dashes', description, NAME_PATTERN);
const nodeNames = (description: string) => OptionType.Array(OptionType.String({ errorMessage: 'expected a node name' }), { description, errorMessage: 'expected a list of node names' });
const hours = (description: string) => durationOption(`${description} A bare number is seconds.`);

/** How a faulty link misbehaves; `delay`, `bandwidth` and `drop` go with the mode of that name. */
const link = {
  mode: optional(oneOfOption(MODES, undefined, 'blackhole: nothing passes; reset: connections are reset; delay, bandwidth, drop: a slow or lossy link. Default blackhole (reset for flap).')),
  delay: optional(hours('mode delay: added per chunk each way, up to 60 s.')),
  loss: optional(numberOption(undefined, 0, 0.5, 'mode delay: the fraction of chunks lost and sent again one retransmission later (as TCP does), 0 to 0.5.')),
  bandwidth: optional(numberOption(undefined, 100, 1e9, 'mode bandwidth: bytes per second each way.')),
  drop: optional(numberOption(undefined, 0, 1, 'mode drop: the fraction of data chunks discarded.')),
};
const scope = {
  channel: oneOfOption(NETWORK, undefined, 'The network channel the fault hits (one of the topology\'s).'),
  nodes: optional(nodeNames('Only these nodes\' links; default all.')),
};

const FaultSchema = OptionType.Object(
  {
    at: hours('When the fault starts, from the start of the load.'),
    name: optional(textOption('a non-empty string', 'Its name in targets and reports. Default KIND-N.')),
    kill: optional(textOption('a non-empty string', 'Kill this service (relay, broker) or node with SIGKILL.')),
    restart: optional(hours('kill: start it again after this long. Default: never.')),
    cut: optional(OptionType.Object({ ...scope, ...link, for: optional(hours('How long. Default: to the end.')) }, { ...closed, description: 'Cut one channel.' })),
    flap: optional(OptionType.Object({ ...scope, ...link, down: hours('Down for this long…'), up: hours('…then up for this long…'), for: hours('…for this long.') }, { ...closed, description: 'Cut one channel on and off.' })),
    blackout: optional(OptionType.Object({ ...link, for: optional(hours('How long. Default: to the end.')) }, { ...closed, description: 'Cut every network channel.' })),
    courier: optional(OptionType.Object({ from: OptionType.String({ errorMessage: 'expected a node name' }), to: OptionType.String({ errorMessage: 'expected a node name' }) }, { ...closed, description: 'Carry a bundle by hand (needs topology.bundle).' })),
    revoke: optional(
      OptionType.Object(
        {
          node: OptionType.String({ description: 'The node whose key the drill\'s authority revokes.', errorMessage: 'expected a node name' }),
          by: OptionType.String({ description: 'The operator node that takes the list and sends it FLASH to every other node, as herald incident lost-device does.', errorMessage: 'expected a node name' }),
          reason: optional(oneOfOption(['lost', 'compromised'] as const, 'compromised', 'Default compromised.')),
        },
        { ...closed, description: 'Revoke a node\'s key (every node is then certified by the drill\'s authority and requires certificates).' },
      ),
    ),
    seize: optional(textOption('a node name', 'Copy this node\'s key file and prekey secrets as they are now; after the drill an adversary opens what it can of the envelopes captured (needs prekeys:).')),
  },
  { ...closed, description: 'Exactly one of kill, cut, flap, blackout, courier, revoke, seize.' },
);

const TargetSchema = OptionType.Object(
  {
    metric: oneOfOption(['latency', 'failover', 'deliveries', 'revocation', 'first-delivery', 'extra-acceptances'] as const, undefined, 'latency: a percentile of delivery times; failover: from a fault to the next delivery over another channel; deliveries: how many a channel carried; revocation: from a revoke fault to the moment every other node refuses the key; first-delivery: from the start of the load to the first message reaching an application; extra-acceptances: acceptances beyond each message\'s first (hedged resends, fan-out copies) per message sent.'),
    name: optional(textOption('a non-empty string', 'Its name in reports.')),
    precedence: optional(oneOfOption(PRECEDENCES, undefined, 'latency: only messages of this precedence.')),
    channel: optional(textOption('a non-empty string', 'latency: only messages delivered over it; deliveries: the channel counted.')),
    during: optional(textOption('a non-empty string', 'latency: only messages sent while this fault was in force.')),
    percentile: optional(numberOption(100, 1, 100, 'latency: the percentile. Default 100.')),
    max: optional(hours('latency, failover, revocation, first-delivery: the most it may take.')),
    roundTrips: optional(OptionType.Integer({ minimum: 1, maximum: 100, description: 'latency: add this many round trips of the slowest delayed link to max (a round trip is twice the largest delay of a fault in mode delay, which the scenario needs).', errorMessage: 'expected a whole number from 1 to 100' })),
    maxRatio: optional(numberOption(undefined, 0, 100, 'extra-acceptances: at most this many per message sent (0.1: one in ten).')),
    fault: optional(textOption('a non-empty string', 'failover, revocation: the fault.')),
    min: optional(numberOption(1, 0, 1e9, 'deliveries: at least this many. Default 1.')),
  },
  closed,
);

export const ScenarioFileSchema = OptionType.Object(
  {
    name: name('The drill\'s name, in reports.'),
    description: optional(OptionType.String({ description: 'What the drill shows.', errorMessage: 'expected a string' })),
    topology: optional(
      OptionType.Object(
        {
          relay: optional(flagOption(true, 'Run a relay (the relay channel).')),
          relayCluster: optional(flagOption(false, 'Run the relay as two relays (relay, relay-b) over a three-node NATS JetStream cluster (nats); kill targets relay-b and nats. Needs relay: true and nats-server.')),
          broker: optional(oneOfOption(['embedded', 'mosquitto', 'auto', 'none'] as const, 'embedded', 'The MQTT broker: the relay\'s embedded one, Mosquitto (required), auto (Mosquitto when installed) or none.')),
          email: optional(OptionType.Union([OptionType.Boolean(), oneOfOption(['off', 'optional', 'required'] as const, undefined, '')], { description: 'The e-mail channel (Postfix and Dovecot): off, optional (skipped with a note when they cannot run; also true) or required.', errorMessage: 'expected one of off, optional, required, true, false' })),
          dir: optional(flagOption(true, 'The shared-folder channel.')),
          bundle: optional(flagOption(false, 'The courier bundle channel.')),
        },
        { ...closed, description: 'The services and channels.' },
      ),
    ),
    nodes: OptionType.Array(
      OptionType.Union([
        OptionType.String({ errorMessage: 'expected a node name' }),
        OptionType.Object({ name: OptionType.String({ errorMessage: 'expected a node name' }), channels: optional(OptionType.Array(oneOfOption(CHANNEL_KINDS, undefined, ''), { description: 'Channels in order of preference; default every channel of the topology.' })) }, closed),
      ], { errorMessage: 'expected a node name or a mapping with name and channels' }),
      { description: '2 to 8 nodes: names, or { name, channels }.', errorMessage: 'expected a list of nodes' },
    ),
    policy: optional(
      OptionType.Object(
        {
          ackDeadline: optional(perPrecedenceOption((precedence) => hours(`The ack deadline of ${precedence} messages.`))),
          sendTimeout: optional(hours('Default 2s.')),
          retryMinDelay: optional(hours('Default 100ms.')),
          maxBackoff: optional(hours('Default 2s.')),
          breakerCooldown: optional(hours('Default 1s.')),
          heartbeat: optional(hours('WebSocket heartbeat and MQTT keep-alive, at least 100ms. Default 500ms.')),
          poll: optional(hours('Folder and mailbox polls, at least 50ms. Default 200ms.')),
        },
        { ...closed, description: 'Tuning handed to every node.' },
      ),
    ),
    load: OptionType.Object(
      {
        duration: hours('How long messages are sent, 1 s to 1 h.'),
        rate: numberOption(undefined, 0.1, 1000, 'Messages per second, over all senders.'),
        from: optional(nodeNames('Senders. Default every node.')),
        to: optional(nodeNames('Recipients. Default every node.')),
        sizes: optional(OptionType.Array(OptionType.Integer({ minimum: 64, maximum: 1_048_576, errorMessage: 'expected a whole number of bytes from 64 to 1048576' }), { description: 'Payload sizes, one picked at random per message. Default [256].', errorMessage: 'expected a list of sizes' })),
        precedences: optional(perPrecedenceOption((precedence) => numberOption(undefined, 0, 1000, `The weight of ${precedence}.`), 'Weights: each precedence gets its share of the messages, spread evenly over the load (within one message of it at any point). Default { ROUTINE: 1 }.')),
        recipients: optional(OptionType.Integer({ minimum: 1, maximum: 7, default: 1, description: 'Recipients per message. Default 1.', errorMessage: 'expected a whole number from 1 to 7' })),
      },
      { ...closed, description: 'The messages the drill sends.', errorMessage: 'expected a mapping with duration and rate' },
    ),
    faults: optional(OptionType.Array(FaultSchema, { maxItems: 100, description: 'At most 100 faults.', errorMessage: 'expected a list of at most 100 faults' })),
    targets: optional(OptionType.Array(TargetSchema, { description: 'What the drill must show besides nothing lost or duplicated.', errorMessage: 'expected a list of targets' })),
    settle: optional(hours('After the load, how long to wait for deliveries before judging. Default 60s.')),
    prekeys: optional(
      OptionType.Object(
        {
          every: optional(hours('A new medium-term prekey this often, at least 1 s. Default 2s.')),
          sealFor: optional(hours('Senders may seal to a prekey this long, at least 60 s. Default 60s.')),
          openFor: optional(hours('Its secret is kept this long after that, at least 60 s. Default 60s.')),
        },
        { ...closed, description: 'Nodes keep durable prekey stores (envelope v2) on this schedule; messages then live openFor at most.' },
      ),
    ),
  },
  closed,
);

export type ScenarioFile = OptionsOf<typeof ScenarioFileSchema>;
export type FaultEntry = OptionsOf<typeof FaultSchema>;
export type TargetEntry = OptionsOf<typeof TargetSchema>;

/** The JSON Schema of a scenario file, for editors (`# yaml-language-server: $schema=…`; docs/schemas/). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(ScenarioFileSchema, { id: 'drill-scenario.schema.json', title: 'Herald drill scenario', description: 'A drill scenario for `herald drill` (docs/drills.md).' });
}
