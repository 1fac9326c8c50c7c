import { parsePrekeyBundle, toHex, verifyPrekeyBundle, type Card, type PrekeyBundle, type SealV2Recipient, type SignedPrekey } from '@herald/core';
import { UsageError } from './errors.js';
import { readTextFile } from './files.js';

/**
 * `herald seal --prekeys`: one verified prekey for every recipient, or a
 * refusal. There is no fallback to version 1: a recipient without a bundle, or
 * whose bundle has no prekey that outlives the envelope, stops the seal.
 */
export async function prekeysForRecipients(cards: readonly Card[], bundleArguments: readonly string[], expiresSeconds: number): Promise<SealV2Recipient[]> {
  const bundles: PrekeyBundle[] = [];
  for (const argument of bundleArguments) {
    bundles.push(parsePrekeyBundle(argument.startsWith('herald-prekeys:') ? argument : await readTextFile(argument, 'prekey bundle')));
  }
  return cards.map((card) => {
    const bundle = bundles.find((candidate) => toHex(candidate.owner) === toHex(card.signingPublicKey));
    if (!bundle) throw new UsageError(`no --prekeys bundle for ${card.fingerprint}; refusing to seal without forward secrecy (leave out --prekeys for a version-1 envelope)`);
    // Forged, altered or expired bundles are refused here (BAD_PREKEY, PREKEY_EXPIRED).
    const prekey = choosePrekey(verifyPrekeyBundle(bundle, card), expiresSeconds);
    if (!prekey) throw new UsageError(`the bundle of ${card.fingerprint} has no prekey whose secret is kept until the envelope expires; ask for a fresh bundle or use a shorter --ttl`);
    return { card, prekey };
  });
}

/**
 * A medium-term prekey before a one-time one (a bundle file cannot record that
 * a one-time prekey was used, and its second use would not open), xwing before
 * x25519, then the one senders may use longest.
 */
function choosePrekey(usable: readonly SignedPrekey[], expiresSeconds: number): SignedPrekey | undefined {
  const rank = (prekey: SignedPrekey): number => (prekey.oneTime ? 2 : 0) + (prekey.kind === 'xwing' ? 0 : 1);
  return usable.filter((prekey) => prekey.openUntil >= expiresSeconds).sort((a, b) => rank(a) - rank(b) || b.sealUntil - a.sealUntil)[0];
}
