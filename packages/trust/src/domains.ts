import { utf8 } from './bytes.js';

/**
 * Ed25519 signature prefixes of the trust formats (docs/protocol.md sections 2
 * and 15), one per purpose, so that a signature over a certificate can never
 * pass as a revocation list, a rotation statement, a card or an envelope.
 */
export const CERTIFICATE_DOMAIN = utf8('herald/v1/certificate');
export const REVOCATION_LIST_DOMAIN = utf8('herald/v1/revocation-list');
export const ROTATION_DOMAIN = utf8('herald/v1/rotation');
/** BLAKE2b key of core's fingerprint hash; repeated here because core does not export the hash itself. */
export const FINGERPRINT_DOMAIN = utf8('herald/v1/fingerprint');
