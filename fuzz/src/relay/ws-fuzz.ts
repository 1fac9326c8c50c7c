import { relayProtocol as protocol } from '@herald/transport-websocket';
import { mutate } from '../mutate.js';
import type { Prng } from '../prng.js';
import type { RecentInputs } from '../recent.js';
import type { Tally } from '../tally.js';
import { FrameClient, type Wait } from './frame-client.js';
import { frameSeeds, type FrameMaterial } from './frame-seeds.js';

export type Phase = 'before AUTH' | 'after AUTH';

/** How long a connection may take to get its CHALLENGE, WELCOME or the answer to its last frame; longer is a failure. */
export const ANSWER_TIMEOUT_MS = 5000;
const SENTINEL_REQUEST_ID = 0xfffffff0;
/** Above the relay's default frame limit (1 MiB envelopes): ws closes with 1009. */
const OVERSIZE_BYTES = 2 * 1024 * 1024;

function describe(wait: Wait): string {
  if (wait.type === 'closed') return `closed ${wait.code} ${protocol.closeName(wait.code) ?? ''}`.trim();
  if (wait.type === 'error') return `ERROR ${protocol.errorName(wait.code) ?? wait.code}`;
  return `answered (${wait.type.toUpperCase()})`;
}

/** Sends one mutated (sometimes intact, as text, or oversize) frame built from this connection's seeds. */
function sendMutated(client: FrameClient, seeds: readonly Uint8Array[], random: Prng, sent: Uint8Array[]): void {
  const seed = random.pick(seeds);
  const bytes = random.chance(0.85) ? mutate(seed, random, seeds).bytes : seed;
  sent.push(bytes);
  const roll = random.below(1000);
  if (roll < 30) client.send(Buffer.from(bytes).toString('latin1'));
  else if (roll < 33) client.send(new Uint8Array(OVERSIZE_BYTES).fill(bytes[0] ?? 0x11));
  else client.send(bytes);
}

/**
 * One connection: (an honest AUTH first, after AUTH), up to `budget` mutated
 * frames, then an honest frame whose answer shows the relay still serves the
 * connection: an AUTH (WELCOME) before authentication, a DEPOSIT (ACCEPTED or an
 * ERROR for it) after. Counts how the connection ended and every ERROR frame.
 * Returns the mutated frames sent.
 */
export async function fuzzConnection(url: string, phase: Phase, budget: number, material: FrameMaterial, random: Prng, tally: Tally, recent: RecentInputs): Promise<number> {
  const client = await FrameClient.open(url, ANSWER_TIMEOUT_MS);
  if (typeof client === 'string') {
    if (client.startsWith('closed (4029)')) tally.count(`${phase}: refused at connect (4029 TOO_MANY_CONNECTIONS)`);
    else tally.fail('no challenge', `${phase}: ${client}`);
    return 0;
  }
  try {
    const identity = random.pick(material.identities);
    if (phase === 'after AUTH') {
      client.send(client.authFrame(identity));
      const welcome = await client.waitFor((frame) => frame.type === 'welcome', ANSWER_TIMEOUT_MS);
      if (welcome.type !== 'welcome') {
        tally.fail('honest AUTH refused', `${phase}: ${describe(welcome)}`);
        return 0;
      }
    }
    const seeds = frameSeeds(client, identity, material, random);
    const count = Math.min(budget, 1 + random.below(8));
    const sent: Uint8Array[] = [];
    for (let index = 0; index < count; index++) sendMutated(client, seeds, random, sent);
    for (const bytes of sent) recent.add(bytes);
    let sentinel: Wait;
    if (phase === 'before AUTH') {
      client.send(client.authFrame(identity));
      sentinel = await client.waitFor((frame) => frame.type === 'welcome', ANSWER_TIMEOUT_MS);
    } else {
      client.send(protocol.encodeDeposit(SENTINEL_REQUEST_ID, random.pick(material.envelopes)));
      sentinel = await client.waitFor((frame) => (frame.type === 'accepted' && frame.requestIds.includes(SENTINEL_REQUEST_ID)) || (frame.type === 'error' && frame.requestId === SENTINEL_REQUEST_ID), ANSWER_TIMEOUT_MS);
    }
    for (const frame of client.drain()) {
      if (frame.type === 'error') tally.count(`${phase}: ERROR ${protocol.errorName(frame.code) ?? frame.code} (to a mutated frame)`);
      else if (frame.type === 'accepted') tally.count(`${phase}: ACCEPTED (a mutated deposit)`);
    }
    if (sentinel.type === 'timeout') tally.fail('unanswered', `${phase}: no answer to an honest frame within ${ANSWER_TIMEOUT_MS} ms after ${count} mutated frames`, sent);
    else tally.count(`${phase}: ${describe(sentinel)}`);
    if (client.undecodable > 0) tally.fail('undecodable frame from the relay', `${phase}: ${client.undecodable}`);
    return count;
  } finally {
    client.terminate();
  }
}
