/**
 * The second, independent implementation of the Herald v1 envelope that
 * independent-opener.test.ts checks the library against, written from
 * docs/protocol.md alone with libsodium primitives. It imports nothing from
 * core: if it and the library disagree, the document is ambiguous or one of them
 * is wrong (see the test file).
 *
 * It is written in parts by the document's stages; this file is the surface the
 * tests use, the same one the implementation had when it was a single file:
 * - independent-v1-identity.ts: primitives, identities, cards, fingerprints (§1–§5)
 * - independent-v1-inner.ts: the inner part's fields and the signed string (§7.5–§7.8)
 * - independent-v1-text-coding.ts: compact text coding (§7.5.6)
 * - independent-v1-outer.ts: the outer header, and opening steps 1–12 (§7.1–§7.4, §9)
 * - independent-v1-seal.ts: sealing (§8)
 * - independent-v1-open.ts: opening, steps 13–21 on the inner part (§9)
 */
export { D, decodeCardText, fingerprintOf, independentIdentity, type IndependentIdentity } from './independent-v1-identity.js';
export { bucket, encodeContentType, PRECEDENCE_BY_CODE } from './independent-v1-inner.js';
export { codeTextDoc, codeWithTableDoc, SHIFT } from './independent-v1-text-coding.js';
export { headerLength } from './independent-v1-outer.js';
export { independentSeal, type IndependentSealInput } from './independent-v1-seal.js';
export { independentOpen, type Contact, type IndependentOpenOptions } from './independent-v1-open.js';
