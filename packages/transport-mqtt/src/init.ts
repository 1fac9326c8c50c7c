import { OptionsError, proxyFor, type Identity, type ProxyOption, type ResolvedProxy } from '@herald/core';
import { checkClientId, derivedClientId } from './client-id.js';
import { checkTopicPrefix, DEFAULT_TOPIC_PREFIX } from './topics.js';
import { parseBrokerUrl, type BrokerUrl } from './url.js';

/** Mosquitto's and most brokers' limits are far above this; large envelopes belong on other channels. */
export const DEFAULT_MAX_ENVELOPE_BYTES = 256 * 1024;
/** A dead broker is noticed within 1.5 keep-alives (MQTT.js pings after one idle keep-alive). */
export const DEFAULT_KEEPALIVE_SECONDS = 5;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_SEND_TIMEOUT_MS = 15_000;
export const DEFAULT_MIN_RECONNECT_MS = 250;
export const DEFAULT_MAX_RECONNECT_MS = 30_000;
/** As long as the relay keeps envelopes: the broker holds the session (and its queued envelopes) this long while the node is away. */
export const DEFAULT_SESSION_EXPIRY_SECONDS = 30 * 86_400;
export const DEFAULT_MAX_PENDING_SENDS = 256;
export const DEFAULT_MAX_PENDING_DELIVERIES = 64;

/** TLS settings for mqtts:// (node's tls.connect). */
export interface MqttTlsOptions {
  /** Trusted CA certificates (PEM), instead of node's bundled roots. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Client certificate and key (PEM), for brokers that ask for one. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Default true. Turning it off accepts any certificate: tests only. */
  readonly rejectUnauthorized?: boolean;
  /** SNI and the name checked against the certificate. Default: the URL's host. */
  readonly servername?: string;
}

export interface MqttTransportInit {
  /** The broker, `mqtt://host[:port]` (1883) or `mqtts://host[:port]` (8883). A `user:password@` in it is used to log in and never appears in the name. */
  readonly url: string;
  /** Derive the stable client id from this identity's X25519 secret (see client-id.ts). Give `identity` or `clientId`. */
  readonly identity?: Identity;
  /** A stable client id of the caller's choosing, e.g. random bytes it persists: 1 to 64 of `[0-9A-Za-z_-]`. */
  readonly clientId?: string;
  /** Broker login; or in the URL, not both. */
  readonly username?: string;
  readonly password?: string;
  /** Topics are `<topicPrefix><routing tag hex>`. Default `herald/v1/`. */
  readonly topicPrefix?: string;
  /** Channel name in receipts, inbound envelopes and errors. Default: the URL without credentials, `mqtt://host:port`. */
  readonly name?: string;
  /** Largest envelope sent or taken in. Default 256 KiB; 1 KiB to 128 MiB. Keep it at or below the broker's limit (Mosquitto: message_size_limit / max_packet_size). */
  readonly maxEnvelopeBytes?: number;
  /** MQTT keep-alive: a ping after this much silence; no answer within 1.5× and the link is declared dead. Default 5 s; 1 to 3600. */
  readonly keepaliveSeconds?: number;
  /** Longest a connection (TCP, TLS, CONNACK, SUBACK) may take. Default 10 000 ms; 100 ms to 2 min. */
  readonly connectTimeoutMs?: number;
  /** Longest a send waits for the broker's PUBACK (including waiting for a slot in the broker's receive window). Default 15 000 ms; 100 ms to 5 min. */
  readonly sendTimeoutMs?: number;
  /** First reconnection delay; it doubles (with full jitter) up to the maximum. Default 250 ms; 10 ms to 1 min. */
  readonly minReconnectDelayMs?: number;
  /** Longest reconnection delay. Default 30 000 ms; at least the minimum, at most 1 h. */
  readonly maxReconnectDelayMs?: number;
  /** How long the broker keeps the session (subscriptions and queued envelopes) while the node is away (MQTT 5 Session Expiry Interval). Default 30 days; 60 s to 4 294 967 295 (never). */
  readonly sessionExpirySeconds?: number;
  /** 5, 4 (MQTT 3.1.1) or 'auto': 5, falling back to 3.1.1 when the broker refuses the protocol version. Default 'auto'. */
  readonly protocolVersion?: 5 | 4 | 'auto';
  /** Sends awaiting a PUBACK (or a slot in the broker's receive window) at once; more fail with QUOTA_EXCEEDED. Default 256; 1 to 65 536. */
  readonly maxPendingSends?: number;
  /** Inbound envelopes the node has not yet stored; MQTT 5 tells the broker (Receive Maximum), 3.1.1 stops reading the socket. Default 64; 1 to 65 535. */
  readonly maxPendingDeliveries?: number;
  /** TLS settings for mqtts://. */
  readonly tls?: MqttTlsOptions;
  /**
   * Log in by proving `identity`'s signing key (identity-proof.ts), as the relay's embedded broker asks by default.
   * 'auto' (default, with `identity` and no username): first without, and with the proof from the first refusal of
   * the login on (CONNACK 4/5, 134/135) for the transport's life; true: always; false: never. The proof shows the
   * broker the identity's signing public key and uses the client id bound to it instead of the derived one.
   */
  readonly identityProof?: boolean | 'auto';
  /**
   * The proxy connections go through: `socks5h://host:port` (Tor: socks5h://127.0.0.1:9050) or `http://host:port`
   * (CONNECT), credentials in the URL if the proxy wants them; the proxy resolves the broker's host name. false:
   * always direct. Default: `HTTPS_PROXY`, then `ALL_PROXY`, unless `NO_PROXY` names the broker's host or it is loopback.
   */
  readonly proxy?: ProxyOption;
}

export interface ResolvedMqttInit {
  readonly broker: BrokerUrl;
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly topicPrefix: string;
  readonly name: string;
  readonly maxEnvelopeBytes: number;
  readonly keepaliveSeconds: number;
  readonly connectTimeoutMs: number;
  readonly sendTimeoutMs: number;
  readonly minReconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly sessionExpirySeconds: number;
  readonly protocolVersion: 5 | 4 | 'auto';
  readonly maxPendingSends: number;
  readonly maxPendingDeliveries: number;
  readonly tls: MqttTlsOptions | undefined;
  /** The identity for the proof, when one may be made; and whether to make it always, after a refused login, or never. */
  readonly identity: Identity | undefined;
  readonly identityProof: 'always' | 'auto' | 'never';
  readonly proxy: ResolvedProxy | undefined;
}

const KNOWN = new Set([
  'url', 'identity', 'clientId', 'username', 'password', 'topicPrefix', 'name', 'maxEnvelopeBytes', 'keepaliveSeconds', 'connectTimeoutMs', 'sendTimeoutMs',
  'minReconnectDelayMs', 'maxReconnectDelayMs', 'sessionExpirySeconds', 'protocolVersion', 'maxPendingSends', 'maxPendingDeliveries', 'tls', 'identityProof', 'proxy',
]);
const TLS_KNOWN = new Set(['ca', 'cert', 'key', 'rejectUnauthorized', 'servername']);

function whole(init: MqttTransportInit, field: keyof MqttTransportInit, fallback: number, min: number, max: number, unit: string): number {
  const value = init[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionsError(`mqttTransport: ${field}: expected whole ${unit} from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function clientIdOf(init: MqttTransportInit): string {
  if (init.identity !== undefined && init.clientId !== undefined) throw new OptionsError('mqttTransport: give identity or clientId, not both');
  if (init.clientId !== undefined) return checkClientId(init.clientId);
  const identity = init.identity;
  if (identity === undefined) throw new OptionsError('mqttTransport: identity (to derive a stable client id) or clientId is required: a persistent session needs the same client id on every connection');
  if (!(identity?.agreementSecretKey instanceof Uint8Array) || identity.agreementSecretKey.length !== 32) {
    throw new OptionsError('mqttTransport: identity: expected an Identity (generateIdentity, readSecretKeyFile)');
  }
  return derivedClientId(identity);
}

function credentials(init: MqttTransportInit, broker: BrokerUrl): { username: string | undefined; password: string | undefined } {
  const inUrl = broker.username !== undefined || broker.password !== undefined;
  const given = init.username !== undefined || init.password !== undefined;
  if (inUrl && given) throw new OptionsError('mqttTransport: credentials: give them in the URL or as username/password, not both');
  if (!given) return { username: broker.username, password: broker.password };
  if (init.username !== undefined && (typeof init.username !== 'string' || init.username === '')) throw new OptionsError('mqttTransport: username: expected a non-empty string');
  // The password's value is never echoed, only its type.
  if (init.password !== undefined && typeof init.password !== 'string') throw new OptionsError(`mqttTransport: password: expected a string, got ${typeof init.password}`);
  if (init.password !== undefined && init.username === undefined) throw new OptionsError('mqttTransport: password: needs a username too (MQTT sends no password without a user name)');
  return { username: init.username, password: init.password };
}

function tlsOptions(value: unknown, broker: BrokerUrl): MqttTlsOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new OptionsError('mqttTransport: tls: expected an object');
  if (broker.protocol !== 'mqtts') throw new OptionsError('mqttTransport: tls: only for mqtts:// URLs');
  for (const key of Object.keys(value)) if (!TLS_KNOWN.has(key)) throw new OptionsError(`mqttTransport: tls: unknown option "${key}"`);
  const reject = (value as MqttTlsOptions).rejectUnauthorized;
  if (reject !== undefined && typeof reject !== 'boolean') throw new OptionsError('mqttTransport: tls.rejectUnauthorized: expected a boolean');
  return value as MqttTlsOptions;
}

function identityProofOf(init: MqttTransportInit, credentials: { username: string | undefined }): 'always' | 'auto' | 'never' {
  const value = init.identityProof ?? 'auto';
  if (value !== true && value !== false && value !== 'auto') throw new OptionsError(`mqttTransport: identityProof: expected true, false or 'auto', got ${JSON.stringify(value)}`);
  if (value === true && init.identity === undefined) throw new OptionsError('mqttTransport: identityProof: needs identity (the key it proves)');
  if (value === true && credentials.username !== undefined) throw new OptionsError('mqttTransport: identityProof: cannot be combined with a username or password (the proof is sent in those fields)');
  if (value === false || init.identity === undefined || credentials.username !== undefined) return 'never';
  return value === true ? 'always' : 'auto';
}

function brokerProxy(value: unknown, broker: BrokerUrl): ResolvedProxy | undefined {
  if (value !== undefined && value !== false && typeof value !== 'string') throw new OptionsError('mqttTransport: proxy: expected a proxy URL or false');
  return proxyFor(value, broker.host, broker.port, 'mqttTransport: proxy');
}

/** Validates an init object once, at construction, so a bad configuration fails before any connection is tried. */
export function resolveMqttInit(init: MqttTransportInit): ResolvedMqttInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError('mqttTransport: init is required ({ url, identity } or { url, clientId })');
  for (const key of Object.keys(init)) if (!KNOWN.has(key)) throw new OptionsError(`mqttTransport: unknown option "${key}"`);
  const broker = parseBrokerUrl(init.url);
  const name = init.name ?? broker.name;
  if (typeof name !== 'string' || name.trim() === '') throw new OptionsError(`mqttTransport: name: expected a non-empty string, got ${JSON.stringify(name)}`);
  const protocolVersion = init.protocolVersion ?? 'auto';
  if (protocolVersion !== 5 && protocolVersion !== 4 && protocolVersion !== 'auto') throw new OptionsError(`mqttTransport: protocolVersion: expected 5, 4 or 'auto', got ${JSON.stringify(protocolVersion)}`);
  const minReconnectDelayMs = whole(init, 'minReconnectDelayMs', DEFAULT_MIN_RECONNECT_MS, 10, 60_000, 'milliseconds');
  const login = credentials(init, broker);
  return {
    broker,
    clientId: clientIdOf(init),
    ...login,
    identity: init.identity,
    identityProof: identityProofOf(init, login),
    topicPrefix: checkTopicPrefix(init.topicPrefix ?? DEFAULT_TOPIC_PREFIX),
    name,
    maxEnvelopeBytes: whole(init, 'maxEnvelopeBytes', DEFAULT_MAX_ENVELOPE_BYTES, 1024, 128 * 1024 * 1024, 'bytes'),
    keepaliveSeconds: whole(init, 'keepaliveSeconds', DEFAULT_KEEPALIVE_SECONDS, 1, 3600, 'seconds'),
    connectTimeoutMs: whole(init, 'connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS, 100, 120_000, 'milliseconds'),
    sendTimeoutMs: whole(init, 'sendTimeoutMs', DEFAULT_SEND_TIMEOUT_MS, 100, 300_000, 'milliseconds'),
    minReconnectDelayMs,
    maxReconnectDelayMs: whole(init, 'maxReconnectDelayMs', Math.max(DEFAULT_MAX_RECONNECT_MS, minReconnectDelayMs), minReconnectDelayMs, 3_600_000, 'milliseconds'),
    sessionExpirySeconds: whole(init, 'sessionExpirySeconds', DEFAULT_SESSION_EXPIRY_SECONDS, 60, 0xffff_ffff, 'seconds'),
    protocolVersion,
    maxPendingSends: whole(init, 'maxPendingSends', DEFAULT_MAX_PENDING_SENDS, 1, 65_536, 'sends'),
    maxPendingDeliveries: whole(init, 'maxPendingDeliveries', DEFAULT_MAX_PENDING_DELIVERIES, 1, 65_535, 'deliveries'),
    tls: tlsOptions(init.tls, broker),
    proxy: brokerProxy(init.proxy, broker),
  };
}
