export { mqttTransport } from './transport.js';
export {
  type MqttTransportInit,
  type MqttTlsOptions,
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_KEEPALIVE_SECONDS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_SEND_TIMEOUT_MS,
  DEFAULT_SESSION_EXPIRY_SECONDS,
  DEFAULT_MAX_PENDING_SENDS,
  DEFAULT_MAX_PENDING_DELIVERIES,
} from './init.js';
export { parseBrokerUrl, type BrokerUrl } from './url.js';
export { derivedClientId, MQTT_CLIENT_ID_DOMAIN } from './client-id.js';
export { tagClientId } from './session-per-tag.js';
// The identity proof and the packet framing guard are wire code shared with the relay's broker: @herald/protocol.
export { checkIdentityLogin, identityLogin, provenClientId, IDENTITY_USERNAME_PREFIX, MQTT_AUTH_DOMAIN, MQTT_PROVEN_CLIENT_ID_DOMAIN, PROOF_WINDOW_MS, type ProofVerdict } from '@herald/protocol';
export { DEFAULT_TOPIC_PREFIX, topicFor } from './topics.js';
export { fromReasonCode } from './errors.js';
export { packetFraming, type PacketFraming } from '@herald/protocol';
