import { generate, type Packet } from 'mqtt-packet';
import { generateIdentity } from '@herald/core';
import { DEFAULT_TOPIC_PREFIX, identityLogin } from '@herald/transport-mqtt';
import type { Prng } from '../prng.js';

/** Sixteen identities, so the proven client ids (bound to keys) come from a small pool, as plain ids did. */
const IDENTITIES = Array.from({ length: 16 }, (_, index) => generateIdentity({ label: `fuzz-${index}` }));

/**
 * A CONNECT as the MQTT transport sends it (MQTT 3.1.1, what the embedded broker speaks). With `brokerPort`, it
 * carries a fresh proof of one of a small pool of identities for that broker (the embedded broker admits only
 * those by default); without, it is anonymous, from a small pool of client ids: refused, and a seed to mutate.
 */
export function connectPacket(random: Prng, clean = random.chance(0.5), brokerPort?: number): Uint8Array {
  const identity = IDENTITIES[random.below(IDENTITIES.length)]!;
  const base = { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean, keepalive: 30 } as const;
  if (brokerPort === undefined) return generate({ ...base, clientId: `fuzz-${random.below(16)}` });
  const login = identityLogin(identity, `mqtt://127.0.0.1:${brokerPort}`);
  return generate({ ...base, clientId: login.clientId, username: login.username, password: Buffer.from(login.password) });
}

export const PINGREQ = Uint8Array.of(0xc0, 0x00);
/** PINGRESP: the broker's answer to PINGREQ. */
export const PINGRESP = Uint8Array.of(0xd0, 0x00);

/** Realistic packets of a Herald MQTT client: connect, subscribe to its tag's topic, publish an envelope, acks, ping, and a few the broker must refuse. */
export function packetSeeds(random: Prng, envelope: Uint8Array): Uint8Array[] {
  const topic = `${DEFAULT_TOPIC_PREFIX}${random.chance(0.8) ? '00112233445566778899aabbccddeeff' : random.pick(['#', '+', '$SYS/x', ''])}`;
  const messageId = 1 + random.below(0xfffe);
  const packets: Packet[] = [
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, clientId: `fuzz-${random.below(16)}`, keepalive: 30, will: { topic, payload: Buffer.from('x'), qos: 1, retain: false } },
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId: '', keepalive: 0, properties: { sessionExpiryInterval: 0xffffffff, maximumPacketSize: 100 } },
    { cmd: 'subscribe', messageId, subscriptions: [{ topic, qos: random.pick([0, 1, 2] as const) }] },
    { cmd: 'unsubscribe', messageId, unsubscriptions: [topic] },
    { cmd: 'publish', topic, payload: Buffer.from(envelope), qos: random.pick([0, 1, 2] as const), dup: false, retain: random.chance(0.1), messageId },
    { cmd: 'puback', messageId },
    { cmd: 'pubrec', messageId },
    { cmd: 'pubrel', messageId },
    { cmd: 'pubcomp', messageId },
    { cmd: 'pingreq' },
    { cmd: 'disconnect' },
  ];
  return [...packets.map((packet) => Uint8Array.from(generate(packet))), PINGREQ, connectPacket(random)];
}
