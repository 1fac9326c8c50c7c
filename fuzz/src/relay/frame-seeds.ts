import { generateIdentity, seal, type Identity } from '@herald/core';
import { relayProtocol as protocol } from '@herald/transport-websocket';
import type { Prng } from '../prng.js';
import type { FrameClient } from './frame-client.js';

/** Identities the fuzzing connections authenticate as, and envelopes for them to deposit. */
export interface FrameMaterial {
  readonly identities: readonly Identity[];
  /** Well-formed envelopes between the identities (each deposit is a valid one unless mutated). */
  readonly envelopes: readonly Uint8Array[];
}

export function frameMaterial(): FrameMaterial {
  const identities = Array.from({ length: 4 }, (_, index) => generateIdentity({ label: `fuzz-${index}` }));
  const stranger = generateIdentity();
  const envelopes = identities.flatMap((from, index) => [
    seal(`to the next one, ${index}`, { from, to: identities[(index + 1) % identities.length]!.card, ttl: 3600 }),
    seal(new Uint8Array(2000), { from, to: [stranger.card, from.card], ttl: 3600 }),
  ]);
  return { identities, envelopes };
}

/** Realistic client frames for this connection: an AUTH answering its CHALLENGE, deposits, acks, a certificate, and near-empty ones. */
export function frameSeeds(client: FrameClient, identity: Identity, material: FrameMaterial, random: Prng): Uint8Array[] {
  return [
    client.authFrame(identity),
    protocol.encodeDeposit(random.next(), random.pick(material.envelopes)),
    protocol.encodeDeposit(random.below(4), random.pick(material.envelopes)),
    protocol.encodeAck(random.below(16)),
    protocol.encodeAck(Array.from({ length: 1 + random.below(40) }, () => random.below(64))),
    protocol.encodeCertificate(random.bytes(1 + random.below(300))),
    Uint8Array.of(random.pick([protocol.FRAME.AUTH, protocol.FRAME.DEPOSIT, protocol.FRAME.ACK, protocol.FRAME.CERTIFICATE, protocol.FRAME.WELCOME, 0x00, 0xff])),
  ];
}
