import { checkOptions, OptionsError, OptionType, proxyFor, textOption, tlsClientOption, wholeInRange, wholeOption, type Identity, type OptionsOf, type ProxyOption, type ResolvedProxy } from '@herald/core';
import { identityLogin } from '@herald/protocol';
import { checkClientId, derivedClientId } from './client-id.js';
import type { Login } from './connection.js';
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

/**
 * The transport's options, declared once: the schema yields `MqttTransportInit`, and `resolveMqttInit` checks every
 * field against it (whole numbers in their unit and range, unknown keys refused). Each description states the default.
 */
export const MqttTransportInitSchema = OptionType.Object(
  {
    url: OptionType.Readonly(textOption('an mqtt:// or mqtts:// URL', 'The broker, `mqtt://host[:port]` (1883) or `mqtts://host[:port]` (8883). A `user:password@` in it is used to log in and never appears in the name.')),
    identity: OptionType.ReadonlyOptional(OptionType.Unsafe<Identity>(OptionType.Any({ description: "Derive the stable client id from this identity's X25519 secret (see client-id.ts). Give `identity` or `clientId`." }))),
    clientId: OptionType.ReadonlyOptional(OptionType.String({ description: "A stable client id of the caller's choosing, e.g. random bytes it persists: 1 to 64 of `[0-9A-Za-z_-]`.", errorMessage: 'expected 1 to 64 of [0-9A-Za-z_-]' })),
    username: OptionType.ReadonlyOptional(OptionType.String({ minLength: 1, description: 'Broker login; or in the URL, not both.', errorMessage: 'expected a non-empty string' })),
    // Any: a wrong password's value must never be echoed in a message; resolveMqttInit names only its type.
    password: OptionType.ReadonlyOptional(OptionType.Unsafe<string>(OptionType.Any({ description: 'The login password (needs username).' }))),
    topicPrefix: OptionType.ReadonlyOptional(OptionType.String({ description: 'Topics are `<topicPrefix><routing tag hex>`. Default `herald/v1/`.', errorMessage: 'expected a topic prefix' })),
    name: OptionType.ReadonlyOptional(textOption('a non-empty string', 'Channel name in receipts, inbound envelopes and errors. Default: the URL without credentials, `mqtt://host:port`.')),
    maxEnvelopeBytes: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_ENVELOPE_BYTES, 1024, 128 * 1024 * 1024, 'bytes', "Largest envelope sent or taken in. Default 256 KiB; 1 KiB to 128 MiB. Keep it at or below the broker's limit (Mosquitto: message_size_limit / max_packet_size).")),
    keepaliveSeconds: OptionType.ReadonlyOptional(wholeOption(DEFAULT_KEEPALIVE_SECONDS, 1, 3600, 'seconds', 'MQTT keep-alive: a ping after this much silence; no answer within 1.5× and the link is declared dead. Longer on a link whose measured round trip needs it (two round-trip timeouts, at most 120 s). Default 5 s; 1 to 3600.')),
    connectTimeoutMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_CONNECT_TIMEOUT_MS, 100, 120_000, 'milliseconds', 'Longest a connection (TCP, TLS, CONNACK, SUBACK) may take; longer on a link whose measured round trip needs it (two round trips, four with TLS, at most 60 s). Default 10 000 ms; 100 ms to 2 min.')),
    sendTimeoutMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_SEND_TIMEOUT_MS, 100, 300_000, 'milliseconds', "Longest a send waits for the broker's PUBACK (including waiting for a slot in the broker's receive window); longer on a link whose measured round trip needs it (at most 120 s). Default 15 000 ms; 100 ms to 5 min.")),
    minReconnectDelayMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MIN_RECONNECT_MS, 10, 60_000, 'milliseconds', 'First reconnection delay; it doubles (with full jitter) up to the maximum. Default 250 ms; 10 ms to 1 min.')),
    maxReconnectDelayMs: OptionType.ReadonlyOptional(wholeOption(undefined, 10, 3_600_000, 'milliseconds', 'Longest reconnection delay. Default 30 000 ms (at least the minimum); at least the minimum, at most 1 h.')),
    sessionExpirySeconds: OptionType.ReadonlyOptional(wholeOption(DEFAULT_SESSION_EXPIRY_SECONDS, 60, 0xffff_ffff, 'seconds', 'How long the broker keeps the session (subscriptions and queued envelopes) while the node is away (MQTT 5 Session Expiry Interval). Default 30 days; 60 s to 4 294 967 295 (never).')),
    protocolVersion: OptionType.ReadonlyOptional(OptionType.Union([OptionType.Literal(5), OptionType.Literal(4), OptionType.Literal('auto')], { default: 'auto', description: "5, 4 (MQTT 3.1.1) or 'auto': 5, falling back to 3.1.1 when the broker refuses the protocol version. Default 'auto'.", errorMessage: "expected 5, 4 or 'auto'" })),
    maxPendingSends: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_PENDING_SENDS, 1, 65_536, 'sends', "Sends awaiting a PUBACK (or a slot in the broker's receive window) at once; more fail with QUOTA_EXCEEDED. Default 256; 1 to 65 536.")),
    maxPendingDeliveries: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_PENDING_DELIVERIES, 1, 65_535, 'deliveries', 'Inbound envelopes the node has not yet stored; MQTT 5 tells the broker (Receive Maximum), 3.1.1 stops reading the socket. Default 64; 1 to 65 535.')),
    tls: OptionType.ReadonlyOptional(tlsClientOption("TLS settings for mqtts:// (node's tls.connect).")),
    identityProof: OptionType.ReadonlyOptional(OptionType.Union([OptionType.Boolean(), OptionType.Literal('auto')], { default: 'auto', description: "Log in by proving `identity`'s signing key (identity-proof.ts), as the relay's embedded broker asks by default. 'auto' (default, with `identity` and no username): first without, and with the proof from the first refusal of the login on (CONNACK 4/5, 134/135) for the transport's life; true: always; false: never. The proof shows the broker the identity's signing public key and uses the client id bound to it instead of the derived one.", errorMessage: "expected true, false or 'auto'" })),
    sessionPerTag: OptionType.ReadonlyOptional(OptionType.Boolean({ description: "One MQTT client (client id, session, connection) per routing tag collected, and one more for sending, so the broker cannot tie a node's epoch tags together by client id or session; the connections still share the node's address and timing unless each goes through its own Tor circuit. Each tag's client id is derived from the X25519 secret and the tag; on a broker that asks for a login, a version-2 card's epoch tag proves that epoch's mailbox (relay-protocol.md 9) instead of the identity. Needs `identity`. Default false: one client for all tags.", errorMessage: 'expected true or false' })),
    proxy: OptionType.ReadonlyOptional(OptionType.Unsafe<ProxyOption>(OptionType.Any({ description: "The proxy connections go through: `socks5h://host:port` (Tor: socks5h://127.0.0.1:9050) or `http://host:port` (CONNECT), credentials in the URL if the proxy wants them; the proxy resolves the broker's host name. false: always direct. Default: `HTTPS_PROXY`, then `ALL_PROXY`, unless `NO_PROXY` names the broker's host or it is loopback." }))),
  },
  { additionalProperties: false },
);

/** Everything an MQTT transport can be told (MqttTransportInitSchema describes each field and its default). */
export interface MqttTransportInit extends OptionsOf<typeof MqttTransportInitSchema> {}

/** TLS settings for mqtts:// (node's tls.connect). */
export type MqttTlsOptions = NonNullable<MqttTransportInit['tls']>;

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
  /** The login a proof makes for one connection (the identity's, or for a tag's own client its mailbox's); undefined without identity. */
  readonly proofLogin: (() => Login) | undefined;
  readonly sessionPerTag: boolean;
  readonly proxy: ResolvedProxy | undefined;
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
  // The password's value is never echoed, only its type.
  if (init.password !== undefined && typeof init.password !== 'string') throw new OptionsError(`mqttTransport: password: expected a string, got ${typeof init.password}`);
  if (init.password !== undefined && init.username === undefined) throw new OptionsError('mqttTransport: password: needs a username too (MQTT sends no password without a user name)');
  return { username: init.username, password: init.password };
}

function tlsOptions(value: unknown, broker: BrokerUrl): MqttTlsOptions | undefined {
  if (value === undefined) return undefined;
  if (broker.protocol !== 'mqtts') throw new OptionsError('mqttTransport: tls: only for mqtts:// URLs');
  return value as MqttTlsOptions;
}

function identityProofOf(init: MqttTransportInit, credentials: { username: string | undefined }): 'always' | 'auto' | 'never' {
  const value = init.identityProof ?? 'auto';
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
  const broker = parseBrokerUrl(init.url);
  checkOptions(MqttTransportInitSchema, init, 'mqttTransport');
  const name = init.name ?? broker.name;
  const protocolVersion = init.protocolVersion ?? 'auto';
  const minReconnectDelayMs = init.minReconnectDelayMs ?? DEFAULT_MIN_RECONNECT_MS;
  const login = credentials(init, broker);
  const identity = init.identity;
  if (init.sessionPerTag === true && identity === undefined) throw new OptionsError('mqttTransport: sessionPerTag: needs identity (each tag\'s client id is derived from it)');
  return {
    broker,
    clientId: clientIdOf(init),
    ...login,
    identity: init.identity,
    identityProof: identityProofOf(init, login),
    proofLogin: identity === undefined ? undefined : () => identityLogin(identity, broker.name),
    sessionPerTag: init.sessionPerTag === true,
    topicPrefix: checkTopicPrefix(init.topicPrefix ?? DEFAULT_TOPIC_PREFIX),
    name,
    maxEnvelopeBytes: init.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES,
    keepaliveSeconds: init.keepaliveSeconds ?? DEFAULT_KEEPALIVE_SECONDS,
    connectTimeoutMs: init.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    sendTimeoutMs: init.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
    minReconnectDelayMs,
    maxReconnectDelayMs: wholeInRange('mqttTransport', 'maxReconnectDelayMs', init.maxReconnectDelayMs ?? Math.max(DEFAULT_MAX_RECONNECT_MS, minReconnectDelayMs), minReconnectDelayMs, 3_600_000, 'milliseconds'),
    sessionExpirySeconds: init.sessionExpirySeconds ?? DEFAULT_SESSION_EXPIRY_SECONDS,
    protocolVersion,
    maxPendingSends: init.maxPendingSends ?? DEFAULT_MAX_PENDING_SENDS,
    maxPendingDeliveries: init.maxPendingDeliveries ?? DEFAULT_MAX_PENDING_DELIVERIES,
    tls: tlsOptions(init.tls, broker),
    proxy: brokerProxy(init.proxy, broker),
  };
}
