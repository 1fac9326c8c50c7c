import { isIP } from 'node:net';
import { OptionsError, type Identity } from '@herald/core';
import { MAX_CERTIFICATE_CHAIN_BYTES } from '@herald/protocol/relay';

export const DEFAULT_MAX_ENVELOPE_BYTES = 1024 * 1024;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;
/** A link silent this long is declared dead; checked every interval, so a dead link is noticed within 9 s by default. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 7_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_SEND_TIMEOUT_MS = 15_000;
export const DEFAULT_MIN_RECONNECT_MS = 250;
export const DEFAULT_MAX_RECONNECT_MS = 30_000;
export const DEFAULT_MAX_PENDING_SENDS = 256;
export const DEFAULT_MAX_PENDING_DELIVERIES = 256;

/** TLS settings handed to `ws` (node's tls.connect) for wss:// URLs. */
export interface WebSocketTlsOptions {
  /** Trusted CA certificates (PEM), instead of node's bundled roots. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Client certificate and key (PEM), for relays that ask for one. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Default true. Turning it off accepts any certificate: tests only. */
  readonly rejectUnauthorized?: boolean;
  /** SNI and the name checked against the certificate. Default: the URL's host. */
  readonly servername?: string;
}

export interface WebSocketTransportInit {
  /** The relay, `ws://host:port[/path]` or `wss://…`. User and password in the URL are refused. */
  readonly url: string;
  /** The identity the transport authenticates with, and whose mailbox it collects. */
  readonly identity: Identity;
  /** Channel name in receipts, inbound envelopes and errors. Default: the URL. */
  readonly name?: string;
  /** Largest envelope sent; bigger ones fail at once with CHANNEL_TOO_SMALL. Default 1 MiB (the relay's default); 1 KiB to 64 MiB. */
  readonly maxEnvelopeBytes?: number;
  /** Interval between WebSocket pings (and liveness checks). Default 2 000 ms; 100 ms to 60 s. */
  readonly heartbeatIntervalMs?: number;
  /** Silence after which the link is declared dead and reopened; noticed within this plus one interval. Default 7 000 ms; more than the interval, at most 5 min. */
  readonly heartbeatTimeoutMs?: number;
  /** Longest a connection and its authentication may take. Default 10 000 ms; 100 ms to 2 min. */
  readonly connectTimeoutMs?: number;
  /** Longest a deposit waits for the relay's acceptance. Default 15 000 ms; 100 ms to 5 min. */
  readonly sendTimeoutMs?: number;
  /** First reconnection delay; it doubles (with full jitter) up to the maximum. Default 250 ms; 10 ms to 1 min. */
  readonly minReconnectDelayMs?: number;
  /** Longest reconnection delay. Default 30 000 ms; at least the minimum, at most 1 h. */
  readonly maxReconnectDelayMs?: number;
  /** Deposits awaiting the relay's answer at once; more fail with QUOTA_EXCEEDED. Default 256; 1 to 65 536. */
  readonly maxPendingSends?: number;
  /** Pushed envelopes the node has not yet stored; a relay pushing more is dropped as misbehaving. Default 256; 1 to 65 536. */
  readonly maxPendingDeliveries?: number;
  /** Collect the identity's mailbox (true) or only deposit (false). Default true. */
  readonly collect?: boolean;
  /** TLS settings for wss://. */
  readonly tls?: WebSocketTlsOptions;
  /**
   * The identity's organisation certificate chain (`encodeChain` of @herald/trust), sent before AUTH so that a relay
   * admitting only certified clients lets this one in. Default: none (relays that do not ask ignore it anyway).
   */
  readonly certificate?: Uint8Array;
  /**
   * The local IP address connections leave from (an address of this host), for hosts with several and for tests
   * that need clients on distinct addresses (the relay limits connections and deposits per source address).
   * Default: the one the system picks.
   */
  readonly localAddress?: string;
}

export interface ResolvedInit {
  readonly url: string;
  readonly identity: Identity;
  readonly name: string;
  readonly maxEnvelopeBytes: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly sendTimeoutMs: number;
  readonly minReconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly maxPendingSends: number;
  readonly maxPendingDeliveries: number;
  readonly collect: boolean;
  readonly tls: WebSocketTlsOptions | undefined;
  readonly certificate: Uint8Array | undefined;
  readonly localAddress: string | undefined;
}

const KNOWN = new Set([
  'url', 'identity', 'name', 'maxEnvelopeBytes', 'heartbeatIntervalMs', 'heartbeatTimeoutMs', 'connectTimeoutMs', 'sendTimeoutMs',
  'minReconnectDelayMs', 'maxReconnectDelayMs', 'maxPendingSends', 'maxPendingDeliveries', 'collect', 'tls', 'certificate', 'localAddress',
]);
const TLS_KNOWN = new Set(['ca', 'cert', 'key', 'rejectUnauthorized', 'servername']);

function whole(init: WebSocketTransportInit, field: keyof WebSocketTransportInit, fallback: number, min: number, max: number, unit: string): number {
  const value = init[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionsError(`webSocketTransport: ${field}: expected whole ${unit} from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function relayUrl(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new OptionsError('webSocketTransport: url: expected a ws:// or wss:// URL');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new OptionsError(`webSocketTransport: url: ${JSON.stringify(value)} is not a URL`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new OptionsError(`webSocketTransport: url: expected ws:// or wss://, got ${parsed.protocol}`);
  // Credentials in a URL end up in names, logs and receipts; the relay authenticates by identity key anyway.
  if (parsed.username !== '' || parsed.password !== '') throw new OptionsError('webSocketTransport: url: must not carry a user or password');
  if (parsed.hash !== '') throw new OptionsError('webSocketTransport: url: must not carry a #fragment');
  return parsed.href;
}

function tlsOptions(value: unknown): WebSocketTlsOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new OptionsError('webSocketTransport: tls: expected an object');
  for (const key of Object.keys(value)) if (!TLS_KNOWN.has(key)) throw new OptionsError(`webSocketTransport: tls: unknown option "${key}"`);
  const reject = (value as WebSocketTlsOptions).rejectUnauthorized;
  if (reject !== undefined && typeof reject !== 'boolean') throw new OptionsError('webSocketTransport: tls.rejectUnauthorized: expected a boolean');
  return value as WebSocketTlsOptions;
}

function certificateBytes(value: unknown): Uint8Array | undefined {
  if (value === undefined) return undefined;
  // A chain holds at most 8 certificates of at most 374 bytes each, plus framing: what a relay reads before WELCOME.
  if (!(value instanceof Uint8Array) || value.length === 0 || value.length > MAX_CERTIFICATE_CHAIN_BYTES) throw new OptionsError(`webSocketTransport: certificate: expected the encoded certificate chain (1 to ${MAX_CERTIFICATE_CHAIN_BYTES} bytes)`);
  return value;
}

function localAddress(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || isIP(value) === 0) throw new OptionsError(`webSocketTransport: localAddress: expected an IPv4 or IPv6 address, got ${JSON.stringify(value)}`);
  return value;
}

export function resolveInit(init: WebSocketTransportInit): ResolvedInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError('webSocketTransport: init is required ({ url, identity })');
  for (const key of Object.keys(init)) if (!KNOWN.has(key)) throw new OptionsError(`webSocketTransport: unknown option "${key}"`);
  const url = relayUrl(init.url);
  const identity = init.identity;
  if (!identity?.card?.signingPublicKey || !(identity.signingSecretKey instanceof Uint8Array) || !(identity.agreementSecretKey instanceof Uint8Array)) {
    throw new OptionsError('webSocketTransport: identity: expected an Identity (generateIdentity, readSecretKeyFile)');
  }
  const name = init.name ?? url;
  if (typeof name !== 'string' || name.trim() === '') throw new OptionsError(`webSocketTransport: name: expected a non-empty string, got ${JSON.stringify(name)}`);
  const heartbeatIntervalMs = whole(init, 'heartbeatIntervalMs', DEFAULT_HEARTBEAT_INTERVAL_MS, 100, 60_000, 'milliseconds');
  const heartbeatTimeoutMs = whole(init, 'heartbeatTimeoutMs', Math.max(DEFAULT_HEARTBEAT_TIMEOUT_MS, 2 * heartbeatIntervalMs), heartbeatIntervalMs + 1, 300_000, 'milliseconds');
  const minReconnectDelayMs = whole(init, 'minReconnectDelayMs', DEFAULT_MIN_RECONNECT_MS, 10, 60_000, 'milliseconds');
  const maxReconnectDelayMs = whole(init, 'maxReconnectDelayMs', Math.max(DEFAULT_MAX_RECONNECT_MS, minReconnectDelayMs), minReconnectDelayMs, 3_600_000, 'milliseconds');
  const collect = init.collect ?? true;
  if (typeof collect !== 'boolean') throw new OptionsError(`webSocketTransport: collect: expected a boolean, got ${String(collect)}`);
  return {
    url,
    identity,
    name,
    maxEnvelopeBytes: whole(init, 'maxEnvelopeBytes', DEFAULT_MAX_ENVELOPE_BYTES, 1024, 64 * 1024 * 1024, 'bytes'),
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
    connectTimeoutMs: whole(init, 'connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS, 100, 120_000, 'milliseconds'),
    sendTimeoutMs: whole(init, 'sendTimeoutMs', DEFAULT_SEND_TIMEOUT_MS, 100, 300_000, 'milliseconds'),
    minReconnectDelayMs,
    maxReconnectDelayMs,
    maxPendingSends: whole(init, 'maxPendingSends', DEFAULT_MAX_PENDING_SENDS, 1, 65_536, 'sends'),
    maxPendingDeliveries: whole(init, 'maxPendingDeliveries', DEFAULT_MAX_PENDING_DELIVERIES, 1, 65_536, 'deliveries'),
    collect,
    tls: tlsOptions(init.tls),
    certificate: certificateBytes(init.certificate),
    localAddress: localAddress(init.localAddress),
  };
}
