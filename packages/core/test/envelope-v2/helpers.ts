import { generatePrekeys, type Identity, type OwnedPrekey, type PrekeyKind, type PrekeySecretResolver, type SignedPrekey } from '@herald/core';

export const NOW = 1_800_000_000_000;
export const NOW_SECONDS = NOW / 1000;
const DAY = 24 * 60 * 60;

export const KINDS: readonly PrekeyKind[] = ['xwing', 'x25519'];

export interface TestPrekey {
  readonly signed: SignedPrekey;
  readonly secret: OwnedPrekey;
}

/** A prekey of `owner`, signed by it: sealable from a minute before NOW for `sealFor` (default a week), opened for `openFor` after that (default a week). */
export function makePrekey(owner: Identity, kind: PrekeyKind, init: { oneTime?: boolean; sealForSeconds?: number; openForSeconds?: number } = {}): TestPrekey {
  const [owned] = generatePrekeys(owner, { kind, oneTime: init.oneTime ?? false, now: NOW - 60_000, sealForSeconds: init.sealForSeconds ?? 7 * DAY, openForSeconds: init.openForSeconds ?? 7 * DAY });
  return { signed: owned!.prekey, secret: owned! };
}

/** A resolver over some prekeys that counts its look-ups; like a PrekeySecretStore it hands out copies (open wipes them). */
export function resolverOf(...prekeys: TestPrekey[]): PrekeySecretResolver & { lookups: number; forget(prekey: TestPrekey): void } {
  const secrets = new Map(prekeys.map((prekey) => [Buffer.from(prekey.signed.id).toString('hex'), prekey.secret]));
  const resolver = {
    lookups: 0,
    get(id: Uint8Array) {
      resolver.lookups++;
      const owned = secrets.get(Buffer.from(id).toString('hex'));
      return owned && { prekey: owned.prekey, secretKey: owned.secretKey.slice() };
    },
    forget(prekey: TestPrekey) {
      secrets.delete(Buffer.from(prekey.signed.id).toString('hex'));
    },
  };
  return resolver;
}
