import { mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createNode, envelopeExpiry, envelopeId, type Card, type HeraldStore, type Identity, type Transport } from '@herald/core';
import { courierTransport, envelopeHash } from '@herald/courier';
import { channelsFromFlags, proxyFromFlag } from './channels.js';
import { courierSpoolPath } from './courier-spool.js';
import { dataDir, type DataDir } from './data-dir.js';



export interface IntakeOutcome {
  /** Handed to the node (taken in, or refused by it for good). */
  readonly delivered: number;
  /** Already taken in by an earlier import: skipped, so importing twice changes nothing. */
  readonly known: number;
  /** The node could not store them now (inbox full, store failing): not taken in, try again. */
  readonly failed: number;
  readonly newMessages: number;
  readonly acksApplied: number;
  /** Refusal codes (NOT_FOR_ME, UNKNOWN_SENDER, EXPIRED, …) and how often. */
  readonly refused: ReadonlyMap<string, number>;
  readonly acksWritten: number;
}

/**
 * Takes envelopes that came by hand (a bundle, typed groups, scanned codes)
 * into the node on DIR through its ordinary inbound path: opened, verified,
 * deduplicated, stored, and acked end to end. The acks go out over `via`
 * channels if any is up, else into the courier spool for the next bundle.
 * Envelopes taken in are remembered (by hash, until they expire), so the same
 * bundle imported again changes nothing, not even a second ack in the spool.
 */
export async function takeIn(init: { identity: Identity; dataDir: string; via?: readonly string[]; proxy?: string; envelopes: readonly Uint8Array[]; onProgress?: (done: number, total: number) => void; signal?: AbortSignal }): Promise<IntakeOutcome> {
  const dir: DataDir = dataDir(init.dataDir);
  const contacts: Card[] = await dir.contacts();
  const memory = await importedMemory(join(init.dataDir, 'courier-imported'));
  const fresh = init.envelopes.filter((envelope) => !memory.has(envelope));
  const courier = courierTransport({ path: courierSpoolPath(init.dataDir), name: 'bundle:' });
  const channels: Transport[] = [...(init.via && init.via.length > 0 ? channelsFromFlags(init.via, init.identity, undefined, proxyFromFlag(init.proxy)) : []), courier];
  const store: HeraldStore = await dir.openStore();
  const refused = new Map<string, number>();
  const refusedIds = new Set<string>();
  let acksApplied = 0;
  let acksWritten = 0;
  try {
    const before = (await store.listInbox()).length;
    const node = createNode({ identity: init.identity, contacts, store, channels });
    node.subscribe((event) => {
      if (event.type === 'rejected' && event.channel === courier.name) {
        refused.set(event.code, (refused.get(event.code) ?? 0) + 1);
        if (event.id !== undefined) refusedIds.add(event.id);
      }
      if (event.type === 'status' && event.status === 'delivered') acksApplied++;
      if (event.type === 'ack-sent') acksWritten++;
    });
    await node.start();
    let outcome;
    try {
      outcome = await courier.take(fresh, { ...(init.onProgress ? { onProgress: init.onProgress } : {}), ...(init.signal ? { signal: init.signal } : {}) });
      await courier.settled(init.signal ? { signal: init.signal } : {});
    } finally {
      await node.stop();
    }
    const after = (await store.listInbox()).length;
    // Remember only what the node took in: a failed delivery must be tried again by the next import, and so must a
    // refused one, whose cause may be mended meanwhile (the sender's card added, an authority trusted, a clock set).
    if (outcome.failed === 0) await memory.remember(fresh.filter((envelope) => !refusedIds.has(idOf(envelope))));
    return { delivered: outcome.delivered, known: init.envelopes.length - fresh.length, failed: outcome.failed, newMessages: Math.max(0, after - before), acksApplied, refused, acksWritten };
  } finally {
    await store.close();
  }
}

function idOf(envelope: Uint8Array): string {
  try {
    return envelopeId(envelope);
  } catch {
    return '';
  }
}

/** Hashes of envelopes already taken in, one empty file each, named `<expiry seconds>.<hash>`, pruned once expired. */
async function importedMemory(path: string): Promise<{ has(envelope: Uint8Array): boolean; remember(envelopes: readonly Uint8Array[]): Promise<void> }> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  const known = new Set<string>();
  const now = Math.floor(Date.now() / 1000);
  for (const name of await readdir(path)) {
    const match = /^(\d+)\.([0-9a-f]{64})$/.exec(name);
    if (!match) continue;
    if (Number(match[1]) < now) await unlink(join(path, name)).catch(() => undefined);
    else known.add(match[2] ?? '');
  }
  return {
    has: (envelope) => known.has(envelopeHash(envelope)),
    async remember(envelopes) {
      for (const envelope of envelopes) {
        const hash = envelopeHash(envelope);
        if (known.has(hash)) continue;
        known.add(hash);
        await writeFile(join(path, `${Math.floor(envelopeExpiry(envelope) / 1000)}.${hash}`), '', { mode: 0o600 });
      }
    },
  };
}
