/** The relay wire protocol (docs/relay-protocol.md): frames, error and close codes, authentication, corking. */
export * as relayProtocol from './relay/index.js';
export { checkIdentityLogin, identityLogin, provenClientId, IDENTITY_USERNAME_PREFIX, MQTT_AUTH_DOMAIN, MQTT_PROVEN_CLIENT_ID_DOMAIN, PROOF_REFUSALS, PROOF_WINDOW_MS, type ProofRefusal, type ProofVerdict } from './mqtt/identity-proof.js';
export { packetFraming, type PacketFraming } from './mqtt/packet-framing.js';
export { checkMailboxLogin, isMailboxLogin, mailboxLogin, MAILBOX_USERNAME_PREFIX, MQTT_MAILBOX_AUTH_DOMAIN, type MailboxVerdict } from './mqtt/mailbox-proof.js';
export { encodedSize, envelopeFromText, tagsOf, TEXT_ALLOWANCE } from './mail/recognize.js';
