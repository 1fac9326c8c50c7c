import { CapacityError, OptionsError } from '../errors.js';
import type { Identity } from '../identity.js';
import type { PrekeyBundle } from '../prekey/bundle.js';
import { DEFAULT_OPEN_FOR_SECONDS, DEFAULT_PREKEY_ROTATION_SECONDS, DEFAULT_SEAL_FOR_SECONDS, generatePrekeys, MIN_PREKEY_PERIOD_SECONDS } from '../prekey/generate.js';
import type { PrekeySecretStore } from '../prekey/secret-store.js';
import type { PrekeyKind, SignedPrekey } from '../prekey/types.js';
import { verifySignedPrekey } from '../prekey/verify.js';
import { MAX_TTL_SECONDS } from '../envelope/seal-common.js';

/** The node's own medium-term prekey schedule. */
export interface PrekeyRotationInit {
  /** A new medium-term prekey this often (seconds). Default 24 h; as little as 1 s for drills. */
  readonly everySeconds?: number;
  /** Senders may seal to each new prekey this long (seconds): sealUntil. Default 48 h; at least 60 s. */
  readonly sealForSeconds?: number;
  /** Its secret is kept this long after sealUntil, then deleted (seconds): openUntil. Default 7 days; at least 60 s. */
  readonly openForSeconds?: number;
}

export type ResolvedRotation = Required<PrekeyRotationInit>;

/**
 * One-time prekey secrets this node keeps unused at most. Past it, messages
 * carry only the medium-term prekey: the secret store's room stays for the
 * medium-term rotation, which must never fail.
 */
export const MAX_OWN_ONE_TIME = 1000;

/** One-time prekeys each message and each ack carries. A sender uses at most one per message, so one back per ack keeps it stocked. */
export const ONE_TIME_PER_MESSAGE = 1;

function seconds(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > MAX_TTL_SECONDS) throw new OptionsError(`prekeyRotation.${name}: expected whole seconds from ${min} to ${MAX_TTL_SECONDS}, got ${String(value)}`);
  return value;
}

export function resolveRotation(init: PrekeyRotationInit = {}): ResolvedRotation {
  if (typeof init !== 'object' || init === null) throw new OptionsError('prekeyRotation: expected an object');
  return {
    everySeconds: seconds('everySeconds', init.everySeconds, DEFAULT_PREKEY_ROTATION_SECONDS, 1),
    sealForSeconds: seconds('sealForSeconds', init.sealForSeconds, DEFAULT_SEAL_FOR_SECONDS, MIN_PREKEY_PERIOD_SECONDS),
    openForSeconds: seconds('openForSeconds', init.openForSeconds, DEFAULT_OPEN_FOR_SECONDS, MIN_PREKEY_PERIOD_SECONDS),
  };
}

export interface OwnPrekeys {
  /** Makes a new medium-term prekey of each kind when the newest is `everySeconds` old, and deletes secrets past openUntil. */
  rotate(kinds: readonly PrekeyKind[], now: number): Promise<{ created: number; pruned: string[] }>;
  /** What one outgoing message carries: `oneTime` fresh one-time prekeys and the current medium-term one, of `kind`. */
  offer(kind: PrekeyKind, oneTime: number, now: number): Promise<PrekeyBundle>;
}

/**
 * `offering` false: the node hands out no prekeys of its own (it still seals to its contacts'). A node offers only
 * when its application gave it a prekey store: the default one lives in memory, and a restart would lose the secrets
 * of every envelope sealed to them — messages accepted and then lost.
 */
export function ownPrekeys(identity: Identity, secrets: PrekeySecretStore, rotation: ResolvedRotation, offering = true): OwnPrekeys {
  const generate = (kind: PrekeyKind, count: number, oneTime: boolean, now: number) =>
    generatePrekeys(identity, { kind, count, oneTime, now, sealForSeconds: rotation.sealForSeconds, openForSeconds: rotation.openForSeconds });
  // Only prekeys this identity signed: after a key rotation the store may still hold the old key's until they are pruned.
  const signedByMe = (prekey: SignedPrekey): boolean => {
    try {
      verifySignedPrekey(prekey, identity.card.signingPublicKey, { now: prekey.created * 1000 });
      return true;
    } catch {
      return false;
    }
  };
  const newestMediumTerm = (kind: PrekeyKind): SignedPrekey | undefined =>
    secrets
      .list()
      .filter((prekey) => prekey.kind === kind && !prekey.oneTime && signedByMe(prekey))
      .at(-1);
  async function ensureMediumTerm(kind: PrekeyKind, now: number): Promise<boolean> {
    const newest = newestMediumTerm(kind);
    if (newest && (newest.created + rotation.everySeconds) * 1000 > now) return false;
    for (const owned of generate(kind, 1, false, now)) {
      await secrets.put(owned);
      owned.secretKey.fill(0);
    }
    return true;
  }

  return {
    async rotate(kinds, now) {
      let created = 0;
      if (offering) for (const kind of kinds) if (await ensureMediumTerm(kind, now)) created++;
      return { created, pruned: await secrets.prune(now) };
    },
    async offer(kind, oneTime, now) {
      if (!offering) return { owner: identity.card.signingPublicKey, prekeys: [] };
      await ensureMediumTerm(kind, now);
      const prekeys: SignedPrekey[] = [];
      if (oneTime > 0 && secrets.list().filter((prekey) => prekey.oneTime).length < MAX_OWN_ONE_TIME) {
        for (const owned of generate(kind, oneTime, true, now)) {
          try {
            await secrets.put(owned);
            prekeys.push(owned.prekey);
          } catch (error) {
            // The store is full of unused one-time prekeys: the medium-term one still keeps the contact stocked.
            if (!(error instanceof CapacityError)) throw error;
          } finally {
            owned.secretKey.fill(0);
          }
        }
      }
      const medium = newestMediumTerm(kind);
      if (medium) prekeys.push(medium);
      return { owner: identity.card.signingPublicKey, prekeys };
    },
  };
}
