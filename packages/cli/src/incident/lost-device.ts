import { HeraldError, type Card, type SendHandle } from '@herald/core';
import { REVOCATION_CONTENT_TYPE, fingerprintBytes, type RevocationReason } from '@herald/trust';
import { publishRevocations } from '@herald/transport-websocket';
import { writeStdout } from '../io.js';
import { loadCard } from '../keys.js';
import { startNode, type NodeFlags } from '../node-runtime.js';
import { extendRevocationList, type RevokeFlags } from '../org/revoke.js';
import { remainingSteps } from './steps.js';

export interface LostDeviceInit {
  readonly node: NodeFlags;
  readonly revoke: RevokeFlags;
  /** The card of the lost, seized or compromised key. */
  readonly card: string;
  /** Relays told to cut the key besides the ws:// ones in --via. */
  readonly relays: readonly string[];
  /** How long to wait for members' end-to-end acks. */
  readonly waitSeconds: number;
  /** How long the list travels (s). */
  readonly ttlSeconds: number;
}

export interface LostDeviceOutcome {
  readonly done: boolean;
}

const isRelay = (url: string): boolean => url.startsWith('ws://') || url.startsWith('wss://');

/**
 * Revokes a key and spreads the word at once (operations.md, runbook "A device lost or seized"): the authority's
 * list grows by the key and is signed; this node takes it; every relay is told to cut the key; every contact but
 * the revoked one gets the list FLASH (fanned out over every channel). Prints each step and what remains by hand.
 */
export async function lostDevice(init: LostDeviceInit): Promise<LostDeviceOutcome> {
  const revoked: Card = await loadCard(init.card);
  const reason = (init.revoke.reason ?? 'lost') as RevocationReason;
  const { list, path } = await extendRevocationList({ ...init.revoke, reason }, [fingerprintBytes(revoked.signingPublicKey)]);
  const say = (line: string): Promise<void> => writeStdout(`${line}\n`);
  await say(`revoked   ${revoked.label} ${revoked.fingerprint} (${reason}): revocation list ${list.serial}, ${list.entries.length} revoked, saved as ${path}`);

  const running = await startNode(init.node, { verbose: false });
  let done = true;
  try {
    try {
      await running.trust.importRevocationList(list);
      await say('this node refuses the key from now on');
    } catch (error) {
      done = false;
      await say(`warning   this node did not take the list: ${(error as Error).message} (herald trust authority ORG.card first)`);
    }

    const relays = [...new Set([...(init.node.via ?? []).filter(isRelay), ...init.relays])];
    const relayFailures: string[] = [];
    await Promise.all(
      relays.map(async (url) => {
        try {
          await publishRevocations({ url, list: list.bytes });
          await say(`relay     ${url}: key cut (connections of the key closed, new ones refused)`);
        } catch (error) {
          relayFailures.push(url);
          await say(`relay     ${url}: NOT told: ${(error as Error).message}`);
        }
      }),
    );

    const members = running.contacts.filter((card) => card.fingerprint !== revoked.fingerprint);
    const handles = new Map<Card, SendHandle>();
    for (const card of members) {
      try {
        handles.set(card, await running.node.send(card, list.bytes, { contentType: REVOCATION_CONTENT_TYPE, precedence: 'FLASH', ttl: init.ttlSeconds }));
      } catch (error) {
        done = false;
        await say(`member    ${card.label} ${card.fingerprint}: not sent: ${error instanceof HeraldError ? `${error.code}: ` : ''}${(error as Error).message}`);
      }
    }
    const signal = AbortSignal.timeout(Math.max(1, init.waitSeconds) * 1000);
    const unacked: Card[] = [];
    await Promise.all(
      [...handles].map(async ([card, handle]) => {
        const status = init.waitSeconds === 0 ? handle.status : await handle.settled({ signal });
        if (status !== 'delivered') unacked.push(card);
        await say(`member    ${card.label} ${card.fingerprint}: ${status === 'delivered' ? 'holds the list (acknowledged)' : `${status}, the list stays in the outbox`}`);
      }),
    );
    if (relayFailures.length > 0 || unacked.length > 0) done = false;
    await say('');
    await say(remainingSteps({ revoked, path, relaysNotTold: relayFailures, unacked, dataDir: running.dir.path }));
  } finally {
    await running.close();
  }
  return { done };
}
