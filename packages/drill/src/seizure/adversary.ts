import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect, open, readSecretKeyFile, toHex } from '@herald/core';
import { lmdbPrekeySecretStore } from '@herald/store-lmdb';
import type { Recorder } from '../recorder.js';

/** How many envelopes of one kind the adversary tried, and how many opened. */
export interface SeizureSplit {
  readonly total: number;
  readonly opened: number;
}

export interface SeizureReport {
  readonly node: string;
  /** Distinct application envelopes to the seized node, captured on its contacts' channels. */
  readonly captured: number;
  /** v2, taken and acked by the seized node's application before the seizure: its prekey deleted by then (one-time, or medium-term past openUntil; must be 0 opened), or a medium-term prekey still held (opens: the bound). */
  readonly acknowledgedDeleted: SeizureSplit;
  readonly acknowledgedMediumTerm: SeizureSplit;
  /** v2, sent before the seizure and not yet taken by the application (on the wire, on a server, or in the inbox). */
  readonly inFlight: SeizureSplit;
  /** Sealed v1 (no prekey held by the sender), whenever sent. */
  readonly sealedV1: SeizureSplit;
  /** v2, first sent after the seizure: to prekeys the captor copied, and to prekeys made afterwards (must be 0 opened). */
  readonly afterToSeized: SeizureSplit;
  readonly afterToNew: SeizureSplit;
  /** The bounds broken, one line each; the drill fails on any. */
  readonly violations: readonly string[];
}

interface Capture {
  readonly at: number;
  readonly bytes: Uint8Array;
}

/** Every envelope the nodes sent, first capture per envelope id (resends and fan-out copies are the same bytes). */
async function captures(homes: readonly string[]): Promise<Map<string, Capture>> {
  const byId = new Map<string, Capture>();
  for (const home of homes) {
    const text = await readFile(join(home, 'capture.jsonl'), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const { at, hex } = JSON.parse(line) as { at: number; hex: string };
      const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
      const id = inspect(bytes).id;
      const held = byId.get(id);
      if (!held || at < held.at) byId.set(id, { at, bytes });
    }
  }
  return byId;
}

/**
 * The adversary step: with only the seized key file and prekey copy and Herald's public API, opens every captured
 * application envelope to the seized node as of its creation (its first capture), so neither expiry nor replay
 * checks stop it, only a missing key. Classifies each by what the drill's record says of it at the seizure.
 * The seized node's own acks are not counted: they carry no application content.
 */
export async function adversary(node: string, seizure: { readonly from: number; readonly to: number }, seizedPath: string, routingTag: string, homes: readonly string[], recorder: Recorder): Promise<SeizureReport> {
  const identity = await readSecretKeyFile(join(seizedPath, 'node.key'));
  const prekeys = await lmdbPrekeySecretStore({ path: join(seizedPath, 'prekeys'), identity });
  // What the copy holds: the prekeys whose secrets the captor has, with their kind and openUntil.
  const seized = new Map(prekeys.list().map((prekey) => [toHex(prekey.id), prekey]));
  const messages = new Map([...recorder.sent.values()].filter((message) => message.id !== undefined && message.to.includes(node)).map((message) => [message.id!, message]));
  const splits = { acknowledgedDeleted: [0, 0], acknowledgedMediumTerm: [0, 0], inFlight: [0, 0], sealedV1: [0, 0], afterToSeized: [0, 0], afterToNew: [0, 0] } as Record<Exclude<keyof SeizureReport, 'node' | 'captured' | 'violations'>, [number, number]>;
  const violations: string[] = [];
  let captured = 0;
  try {
    for (const [id, capture] of await captures(homes)) {
      const outline = inspect(capture.bytes);
      const message = messages.get(id);
      if (!message || !outline.routingTags.includes(routingTag)) continue;
      captured++;
      let opened: Awaited<ReturnType<typeof open>> | undefined;
      try {
        opened = await open(capture.bytes, { identity, prekeys, now: capture.at });
      } catch {
        opened = undefined;
      }
      // The seized node's entry: its prekey, and whether the copy holds it (a one-time prekey used and deleted is gone).
      const prekeyId = outline.prekeys?.[outline.routingTags.indexOf(routingTag)]?.id;
      const held = prekeyId === undefined ? undefined : seized.get(prekeyId);
      // The copy took from `from` to `to`: taken by the seized node's application (its ack() resolved, which deletes a
      // one-time secret) before it began, sealed after it ended; the rest was in flight or still in the inbox. (The
      // end-to-end ack the sender sees leaves when the message is stored, before the application has it.)
      const acknowledged = recorder.acks.some((ack) => ack.node === node && ack.key === message.key && ack.at <= seizure.from);
      const kind =
        outline.version === 1 ? 'sealedV1'
        : capture.at > seizure.to ? (held ? 'afterToSeized' : 'afterToNew')
        : acknowledged ? (held && !held.oneTime ? 'acknowledgedMediumTerm' : 'acknowledgedDeleted')
        : 'inFlight';
      splits[kind][0]++;
      if (!opened) continue;
      splits[kind][1]++;
      if (kind === 'acknowledgedDeleted') violations.push(`${message.key} (acknowledged by the application before the seizure) opened`);
      if (kind === 'afterToNew') violations.push(`${message.key} (sealed after the seizure to a prekey made after it) opened`);
      if (held && held.openUntil * 1000 < seizure.from) violations.push(`${message.key} opened with a prekey past its openUntil before the seizure`);
    }
  } finally {
    await prekeys.close();
  }
  const split = ([total, opened]: [number, number]): SeizureSplit => ({ total, opened });
  return {
    node,
    captured,
    acknowledgedDeleted: split(splits.acknowledgedDeleted),
    acknowledgedMediumTerm: split(splits.acknowledgedMediumTerm),
    inFlight: split(splits.inFlight),
    sealedV1: split(splits.sealedV1),
    afterToSeized: split(splits.afterToSeized),
    afterToNew: split(splits.afterToNew),
    violations: violations.slice(0, 50),
  };
}
