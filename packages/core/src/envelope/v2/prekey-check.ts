import type { Card } from '../../card.js';
import { OptionsError, PrekeyError } from '../../errors.js';
import { PREKEY_ID_BYTES, type SignedPrekey } from '../../prekey/types.js';
import type { PreparedContent } from '../seal-common.js';
import { PREKEY_KIND_CODES } from './format.js';
import { kemFor } from './kems.js';

/**
 * Refuses a recipient's prekey before anything is sealed to it: a forged or
 * altered one (BAD_PREKEY), one past `sealUntil` (PREKEY_EXPIRED), or one whose
 * secret is deleted (`openUntil`) before the envelope expires (INVALID_OPTIONS:
 * a shorter ttl fits).
 */
export function checkPrekeyForSealing(card: Card, prekey: SignedPrekey, content: PreparedContent): void {
  if (typeof prekey !== 'object' || prekey === null) throw new OptionsError(`to: recipient ${card.fingerprint} has no prekey`);
  if (!(prekey.kind in PREKEY_KIND_CODES)) throw new PrekeyError('BAD_PREKEY', `prekey of ${card.fingerprint}: unknown kind ${String(prekey.kind)}`);
  if (!(prekey.id instanceof Uint8Array) || prekey.id.length !== PREKEY_ID_BYTES) throw new PrekeyError('BAD_PREKEY', `prekey of ${card.fingerprint}: id must be ${PREKEY_ID_BYTES} bytes`);
  if (!(prekey.publicKey instanceof Uint8Array) || prekey.publicKey.length !== kemFor(prekey.kind).publicKeyBytes) throw new PrekeyError('BAD_PREKEY', `prekey of ${card.fingerprint}: public key of the wrong length`);
  // TODO(merge): verify the signature with the prekey module's verifier once it lands.
  if (content.nowSeconds > prekey.sealUntil) throw new PrekeyError('PREKEY_EXPIRED', `prekey of ${card.fingerprint} could be sealed to until ${new Date(prekey.sealUntil * 1000).toISOString()}`);
  if (content.expiresSeconds > prekey.openUntil) throw new OptionsError(`ttl: the envelope would expire after ${new Date(prekey.openUntil * 1000).toISOString()}, when ${card.fingerprint} deletes the prekey's secret`);
}
