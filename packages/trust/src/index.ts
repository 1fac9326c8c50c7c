export { type Certificate, type IssueCertificateInit, issueCertificate, decodeCertificate, MAX_ROLE_BYTES, MIN_CERTIFICATE_BYTES, MAX_CERTIFICATE_BYTES } from './certificate.js';
export { type CertificateChain, encodeChain, decodeChain, chainToText, parseChain, MAX_CHAIN_LENGTH, CERTIFICATE_PREFIX } from './chain.js';
export {
  type RevocationList,
  type RevocationEntry,
  type RevocationReason,
  type RevocationInput,
  type IssueRevocationListInit,
  REVOCATION_REASONS,
  REVOCATIONS_PREFIX,
  issueRevocationList,
  decodeRevocationList,
  parseRevocationList,
  revocationListToText,
  findRevocation,
} from './revocation.js';
export { type RotationStatement, createRotation, decodeRotation, parseRotation, rotationToText, ROTATION_PREFIX } from './rotation.js';
export { type RevocationSet, revocationSet } from './revocation-set.js';
export { type VerifyOptions, type VerifiedChain, verifyChain } from './verify.js';
export { CERTIFIED_CONTENT_TYPE, REVOCATION_CONTENT_TYPE, ROTATION_CONTENT_TYPE, wrapCertified, unwrapCertified, type Unwrapped } from './wrapper.js';
export { FINGERPRINT_BYTES, fingerprintBytes, fingerprintFromText, fingerprintText } from './fingerprint.js';
export { CERTIFICATE_DOMAIN, REVOCATION_LIST_DOMAIN, ROTATION_DOMAIN } from './domains.js';
export { type TrustStore, memoryTrustStore, dirTrustStore } from './store.js';
export { type Trust, type TrustInit, type TrustEvent, createTrust } from './policy.js';
export { type SpokenFingerprint, spell } from './spoken.js';
export { type TrustErrorCode, TrustError } from './errors.js';
