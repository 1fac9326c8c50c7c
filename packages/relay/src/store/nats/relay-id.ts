import { randomFillSync } from 'node:crypto';
import type { KV } from '@nats-io/kv';

const KEY = 'relay-id';

/**
 * The relay's id, made by the first relay of the cluster to start and read by every other: relays behind one load
 * balancer are one relay to their clients, so they name themselves alike in CHALLENGE frames. Created with the
 * bucket's compare-and-set, so two relays starting together agree.
 */
export async function sharedRelayId(meta: KV): Promise<Uint8Array> {
  const made = randomFillSync(new Uint8Array(16));
  try {
    await meta.create(KEY, made);
    return made;
  } catch (error) {
    const held = await meta.get(KEY);
    if (held === null || held.value.length !== 16) throw new Error(`the cluster's relay id could not be made or read (${(error as Error).message})`, { cause: error });
    return new Uint8Array(held.value);
  }
}
