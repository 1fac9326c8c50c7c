import { mutate } from '../mutate.js';
import type { Prng } from '../prng.js';
import type { RecentInputs } from '../recent.js';
import type { Tally } from '../tally.js';
import { PacketClient, type PacketWait } from './packet-client.js';
import { connectPacket, packetSeeds, PINGREQ } from './packet-seeds.js';
import { ANSWER_TIMEOUT_MS } from './ws-fuzz.js';

export type MqttPhase = 'MQTT before CONNACK' | 'MQTT after CONNACK';

function describe(wait: PacketWait): string {
  if (wait.cmd === 'connack') return `answered (CONNACK ${wait.returnCode ?? wait.reasonCode ?? '?'})`;
  return wait.cmd === 'closed' ? 'closed by the broker' : `answered (${wait.cmd.toUpperCase()})`;
}

/**
 * One TCP connection to the embedded broker: (an honest CONNECT first, after
 * CONNACK), up to `budget` mutated packets, then an honest CONNECT (before) or
 * PINGREQ (after) and end of stream: the answer, or the broker closing, ends it. Returns the
 * mutated packets sent.
 */
export async function fuzzMqttConnection(port: number, phase: MqttPhase, budget: number, envelope: Uint8Array, random: Prng, tally: Tally, recent: RecentInputs): Promise<number> {
  const client = await PacketClient.open(port, ANSWER_TIMEOUT_MS);
  if (typeof client === 'string') {
    tally.fail('no connection', `${phase}: ${client}`);
    return 0;
  }
  try {
    if (phase === 'MQTT after CONNACK') {
      client.send(connectPacket(random, true, port));
      const connack = await client.waitFor((packet) => packet.cmd === 'connack', ANSWER_TIMEOUT_MS);
      if (connack.cmd !== 'connack' || (connack.returnCode ?? 0) !== 0) {
        // At the relay's connection cap the broker refuses; anything else is a failure.
        tally.fail('honest CONNECT refused', `${phase}: ${describe(connack)}`);
        return 0;
      }
    }
    const seeds = packetSeeds(random, envelope);
    const count = Math.min(budget, 1 + random.below(8));
    const sent: Uint8Array[] = [];
    for (let index = 0; index < count; index++) {
      const seed = random.pick(seeds);
      const bytes = random.chance(0.85) ? mutate(seed, random, seeds).bytes : seed;
      sent.push(bytes);
      recent.add(bytes);
      client.send(bytes);
    }
    const sentinel = phase === 'MQTT before CONNACK' ? connectPacket(random, random.chance(0.5), port) : PINGREQ;
    client.send(sentinel);
    // A mutated packet may declare more bytes than were sent and swallow the sentinel; end of stream settles it.
    client.end();
    const answer = await client.waitFor((packet) => packet.cmd === (phase === 'MQTT before CONNACK' ? 'connack' : 'pingresp'), ANSWER_TIMEOUT_MS);
    if (answer.cmd === 'timeout') tally.fail('unanswered', `${phase}: no answer and no close within ${ANSWER_TIMEOUT_MS} ms after ${count} mutated packets`, sent);
    else tally.count(`${phase}: ${describe(answer)}`);
    if (client.unparsable > 0) tally.fail('unparsable bytes from the broker', `${phase}: ${client.unparsable}`);
    return count;
  } finally {
    client.destroy();
  }
}
