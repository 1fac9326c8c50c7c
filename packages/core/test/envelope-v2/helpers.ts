import { secureRandom, type Identity, type PrekeyKind, type PrekeySecret, type PrekeySecretResolver, type SignedPrekey } from '@herald/core';
import { kemFor, supportedKinds } from '../../src/envelope/v2/kems.js';

export const NOW = 1_800_000_000_000;
export const NOW_SECONDS = NOW / 1000;
const DAY = 24 * 60 * 60;

export const KINDS: readonly PrekeyKind[] = supportedKinds();

export interface TestPrekey {
  readonly signed: SignedPrekey;
  readonly secret: PrekeySecret;
}

/** A prekey of `owner`, valid for sealing for a week from NOW and for opening for two. */
export function makePrekey(owner: Identity, kind: PrekeyKind, init: { oneTime?: boolean; created?: number; sealUntil?: number; openUntil?: number } = {}): TestPrekey {
  const pair = kemFor(kind).generateKeyPair();
  const oneTime = init.oneTime ?? false;
  const signed: SignedPrekey = {
    id: secureRandom(8),
    kind,
    oneTime,
    publicKey: pair.publicKey,
    created: init.created ?? NOW_SECONDS - 60,
    sealUntil: init.sealUntil ?? NOW_SECONDS + 7 * DAY,
    openUntil: init.openUntil ?? NOW_SECONDS + 14 * DAY,
    signature: new Uint8Array(64),
  };
  void owner;
  return { signed, secret: { kind, oneTime, secretKey: pair.secretKey } };
}

/** A resolver over some prekeys that counts its look-ups. */
export function resolverOf(...prekeys: TestPrekey[]): PrekeySecretResolver & { lookups: number; forget(prekey: TestPrekey): void } {
  const secrets = new Map(prekeys.map((prekey) => [Buffer.from(prekey.signed.id).toString('hex'), prekey.secret]));
  const resolver = {
    lookups: 0,
    get(id: Uint8Array) {
      resolver.lookups++;
      return secrets.get(Buffer.from(id).toString('hex'));
    },
    forget(prekey: TestPrekey) {
      secrets.delete(Buffer.from(prekey.signed.id).toString('hex'));
    },
  };
  return resolver;
}
