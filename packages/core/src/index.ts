export * from './errors.js';
export { constantTimeEqual, sodiumBackend, type SodiumBackend } from './sodium.js';
export { secureRandom, type RandomSource } from './random.js';
export { toHex, fromHex, toBase64Url, fromBase64Url, readU32, writeU32 } from './bytes.js';
export { CROCKFORD_ALPHABET, crockfordEncode, crockfordNormalize } from './base32.js';
export { parseDuration, didYouMean, DURATION_PATTERN } from './duration.js';
export { PRECEDENCES, parsePrecedence, type Precedence } from './precedence.js';
export {
  type Card,
  MAX_LABEL_BYTES,
  decodeCard,
  parseCard,
  cardToText,
  cardToFile,
  fingerprintMatches,
  routingTagFor,
} from './card.js';
export { RELAY_AUTH_DOMAIN, RELAY_TAG_PROOF_DOMAIN, EPOCH_DOMAIN } from './domains.js';
export { epochOf, blindedMailboxKey, blindingFactor } from './epoch/blinding.js';
export { epochTagOfKey, epochTagFor, routingTagAt } from './epoch/tags.js';
export { collectedEpochs, collectedEpochTags, maxCollectedEpochs, EPOCH_LOOKAHEAD_SECONDS, DEFAULT_EPOCH_RETAIN_SECONDS, MAX_COLLECTED_EPOCHS, type EpochRange } from './epoch/window.js';
export { type BlindedMailbox, blindedMailbox } from './epoch/mailbox.js';
export { type Identity, type GenerateIdentityInit, generateIdentity, identityFromSecrets } from './identity.js';
export {
  type ExportIdentityOptions,
  type PassphraseStrength,
  exportIdentity,
  importIdentity,
  isPassphraseProtected,
  writeSecretKeyFile,
  readSecretKeyFile,
} from './keyfile.js';
export { type ContactResolver, contactList } from './contacts.js';
export { type SeenSet, type MemorySeenSetInit, memorySeenSet } from './seen.js';
export { type SealOptions, seal, DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, DEFAULT_MAX_PLAINTEXT_BYTES } from './envelope/seal.js';
export { type OpenOptions, type OpenedMessage, open, replayKey, replayHorizonMs, DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_MAX_CLOCK_SKEW_SECONDS } from './envelope/open.js';
export { type EnvelopeOutline, type EnvelopeRoute, inspect, envelopeId, envelopeRoute, envelopeRoutingTags, envelopeExpiry } from './envelope/inspect.js';
export { ARMOR_BEGIN, ARMOR_END, armorEnvelope, dearmorEnvelope, isArmored, envelopeFromInput } from './envelope/armor.js';
export { bucketLength, MIN_BUCKET } from './envelope/padding.js';
export { MAX_CODED_TEXT_CHARS } from './envelope/text-coding.js';
export { REGISTERED_CONTENT_TYPES } from './envelope/content-type.js';
export { ENVELOPE_VERSION, MAX_RECIPIENTS } from './envelope/format.js';
// Envelope version 2 (forward secret, optionally post-quantum; docs/protocol.md section 17).
export { type SealV2Options, type SealV2Recipient, sealV2 } from './envelope/v2/seal.js';
export type { SealContentOptions } from './envelope/seal-common.js';
export type { PrekeySecret, PrekeySecretResolver, OpenedPrekey } from './envelope/v2/prekey-secrets.js';
export { ENVELOPE_V2_VERSION } from './envelope/v2/format.js';
// Signed prekeys (envelope version 2).
export { type PrekeyKind, type Kem, type KemKeyPair, type KemEncapsulation, type SignedPrekey, PREKEY_ID_BYTES } from './prekey/types.js';
export { x25519Kem } from './prekey/x25519-kem.js';
export { xwingKem } from './prekey/xwing.js';
export { kemFor, PREKEY_KIND_CODES } from './prekey/kinds.js';
export { PREKEY_VERSION, encodeSignedPrekey, decodeSignedPrekey } from './prekey/encoding.js';
export { type VerifyPrekeyOptions, verifySignedPrekey } from './prekey/verify.js';
export {
  type PrekeyBundle,
  PREKEY_BUNDLE_VERSION,
  MAX_BUNDLE_PREKEYS,
  PREKEY_BUNDLE_TEXT_PREFIX,
  encodePrekeyBundle,
  decodePrekeyBundle,
  verifyPrekeyBundle,
  prekeyBundleToText,
  parsePrekeyBundle,
} from './prekey/bundle.js';
export {
  type GeneratePrekeysInit,
  type OwnedPrekey,
  generatePrekeys,
  DEFAULT_PREKEY_ROTATION_SECONDS,
  DEFAULT_SEAL_FOR_SECONDS,
  DEFAULT_OPEN_FOR_SECONDS,
  MIN_PREKEY_PERIOD_SECONDS,
} from './prekey/generate.js';
export {
  type PrekeySecretStore,
  type PrekeyRecordBackend,
  type MemoryPrekeySecretStoreInit,
  DEFAULT_MAX_PREKEYS,
  prekeySecretStoreOver,
  memoryPrekeySecretStore,
  memoryPrekeyRecordBackend,
} from './prekey/secret-store.js';
export type {
  Transport,
  TransportCapabilities,
  TransportHealth,
  HealthState,
  Route,
  SendReceipt,
  InboundEnvelope,
  TransportStartOptions,
  OperationOptions,
  TransportEvent,
  PrekeyDirectory,
} from './transport.js';
export { type HeraldStore, type OutboxRecord, type InboxRecord, type AttemptRecord, type OutboundStatus, type ContactPrekeys, type HeldContent, type PrekeyUse, type MemoryStoreInit, memoryStore } from './store.js';
export { type NodeInit, type SendOptions, type NodeEvent, type HeraldNode, createNode } from './node/node.js';
export type { EpochTagsInit } from './node/epoch-tags.js';
export { DEFAULT_MAX_RECEIVED_MESSAGES } from './node/received.js';
export { NodeInitSchema, DEFAULT_RETAIN_FINISHED_MS } from './node/init.js';
export { type NodePolicy, type ForwardSecrecy, type ForwardSecrecyRules, FORWARD_SECRECY_MODES, DEFAULT_ACK_DEADLINE_MS, NodePolicySchema } from './node/policy.js';
export type { PrekeyRotationInit } from './node/own-prekeys.js';
export { importContactPrekeys } from './node/contact-prekeys.js';
export { PREKEYED_CONTENT_TYPE, MAX_PIGGYBACK_PREKEYS, encodePrekeyed, decodePrekeyed, type Prekeyed } from './node/prekey-container.js';
export { POST_QUANTUM_MIN_CHANNEL_BYTES } from './node/sealing.js';
export type { SendHandle, StatusChange } from './node/handle.js';
export type { ReceivedMessage } from './node/received.js';
export type { NodeTrust, InboundTrustContext, OutboundMessage, SenderTrust, TrustVerdict, RetiredIdentity } from './node/trust.js';
export { ACK_CONTENT_TYPE } from './node/ack.js';
// Helpers every network transport needs the same way: health tracking and jittered reconnect backoff.
export { type HealthTracker, healthTracker } from './transport-kit/health.js';
export { type Backoff, backoff, delay } from './transport-kit/backoff.js';
export { tracked, unlessAborted } from './transport-kit/in-flight.js';
export { type RoundTripEstimate, type RoundTripTimer, roundTripTimer, followRoundTrip, TIMEOUT_CEILINGS } from './transport-kit/rtt.js';
export { type MovingDeadline, movingDeadline } from './transport-kit/deadline.js';
export { type LifecycleHooks, type LifecycleInit, type LifecycleState, type TransportLifecycle, checkStartOptions, transportLifecycle } from './transport-kit/lifecycle.js';
export { type BoundedMap, boundedMap, type RefusalBackoff, refusalBackoff } from './transport-kit/bounded.js';
export {
  OptionType,
  type OptionsOf,
  type OptionSchema,
  type OptionsSchema,
  type OptionProblem,
  wholeOption,
  numberOption,
  durationOption,
  flagOption,
  oneOfOption,
  textOption,
  textListOption,
  perPrecedenceOption,
  tlsClientOption,
  knownOptions,
  wholeInRange,
  optionProblem,
  checkOptions,
  jsonSchemaOf,
} from './options-schema.js';
export { type ResolvedProxy, type ProxyOption, parseProxyUrl, proxyFor } from './proxy.js';
