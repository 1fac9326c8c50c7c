import type { Card } from '../../card.js';
import { OptionsError } from '../../errors.js';
import type { SignedPrekey } from '../../prekey/types.js';
import { verifySignedPrekey } from '../../prekey/verify.js';
import type { PreparedContent } from '../seal-common.js';

/**
 * Refuses a recipient's prekey before anything is sealed to it: malformed,
 * forged or altered (BAD_PREKEY: not signed by the card's identity over these
 * fields), past `sealUntil` (PREKEY_EXPIRED), or deleted by its owner
 * (`openUntil`) before the envelope expires (INVALID_OPTIONS: a shorter ttl fits).
 */
export function checkPrekeyForSealing(card: Card, prekey: SignedPrekey, content: PreparedContent): void {
  if (typeof prekey !== 'object' || prekey === null) throw new OptionsError(`to: recipient ${card.fingerprint} has no prekey`);
  verifySignedPrekey(prekey, card.signingPublicKey, { now: content.nowSeconds * 1000 });
  if (content.expiresSeconds > prekey.openUntil) {
    throw new OptionsError(`ttl: the envelope would expire after ${new Date(prekey.openUntil * 1000).toISOString()}, when ${card.fingerprint} deletes the prekey's secret`);
  }
}
