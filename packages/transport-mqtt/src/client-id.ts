import { OptionsError, toHex, type Identity } from '@herald/core';
import { sodium } from './sodium.js';

/** BLAKE2b message prefix of the derived client id (docs/protocol.md, section 2). */
export const MQTT_CLIENT_ID_DOMAIN = new TextEncoder().encode('herald/v1/mqtt-client-id');

/**
 * A persistent session needs a client id that stays the same across restarts,
 * and the broker sees it on every connection. Derived from the identity's
 * X25519 secret: `BLAKE2b-128(key = X25519 secret, msg = "herald/v1/mqtt-client-id")`,
 * in hex. Stable without any extra state to keep, and unlinkable to the card,
 * fingerprint or routing tag by anyone who lacks the secret (the key-encryption
 * key uses the same keyed-by-secret pattern). What a broker learns from it
 * is only "the same client again", which the subscription to the routing tag
 * tells it anyway.
 */
export function derivedClientId(identity: Identity): string {
  return toHex(sodium.crypto_generichash(16, MQTT_CLIENT_ID_DOMAIN, identity.agreementSecretKey));
}

/** Letters, digits, `-` and `_`, 1 to 64 characters: accepted by every broker that lifts 3.1.1's 23-character floor (Mosquitto, Aedes, EMQX, HiveMQ). */
const CLIENT_ID = /^[0-9A-Za-z_-]{1,64}$/;

export function checkClientId(value: unknown): string {
  if (typeof value !== 'string' || !CLIENT_ID.test(value)) {
    throw new OptionsError(`mqttTransport: clientId: expected 1 to 64 letters, digits, "-" or "_" (e.g. a random id the caller persists), got ${JSON.stringify(value)}`);
  }
  return value;
}
