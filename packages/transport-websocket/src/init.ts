import { socketPlatform } from '#socket';
import { checkOptions, flagOption, oneOfOption, OptionsError, OptionType, proxyFor, textOption, tlsClientOption, wholeInRange, wholeOption, type Identity, type OptionsOf, type ProxyOption, type ResolvedProxy } from '@herald/core';
import { isFrameBucket, MAX_CERTIFICATE_CHAIN_BYTES, MIN_FRAME_BUCKET } from '@herald/protocol/relay';

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
export const PADDING_MODES = ['preferred', 'required', 'off'] as const;

/**
 * The transport's options, declared once: the schema yields `WebSocketTransportInit`, and `resolveInit` checks every
 * field against it (whole numbers in their unit and range, unknown keys refused). Each description states the default.
 */
export const WebSocketTransportInitSchema = OptionType.Object(
  {
    url: OptionType.Readonly(textOption('a ws:// or wss:// URL', 'The relay, `ws://host:port[/path]` or `wss://…`. User and password in the URL are refused.')),
    identity: OptionType.Readonly(OptionType.Unsafe<Identity>(OptionType.Any({ description: 'The identity the transport authenticates with, and whose mailbox it collects.', errorMessage: 'expected an Identity (generateIdentity, readSecretKeyFile)' }))),
    name: OptionType.ReadonlyOptional(textOption('a non-empty string', 'Channel name in receipts, inbound envelopes and errors. Default: the URL.')),
    maxEnvelopeBytes: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_ENVELOPE_BYTES, 1024, 64 * 1024 * 1024, 'bytes', "Largest envelope sent; bigger ones fail at once with CHANNEL_TOO_SMALL. Default 1 MiB (the relay's default); 1 KiB to 64 MiB.")),
    heartbeatIntervalMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_HEARTBEAT_INTERVAL_MS, 100, 60_000, 'milliseconds', 'Interval between WebSocket pings (and liveness checks). Default 2 000 ms; 100 ms to 60 s.')),
    heartbeatTimeoutMs: OptionType.ReadonlyOptional(wholeOption(undefined, 101, 300_000, 'milliseconds', 'Silence after which the heartbeat timer backs off (doubled) and probes again; still silent then, the link is declared dead and reopened: noticed within twice this plus one interval. Longer on a link whose measured round trip needs it (one interval plus a round-trip timeout, at most 60 s). Default 7 000 ms (at least twice the interval); more than the interval, at most 5 min.')),
    connectTimeoutMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_CONNECT_TIMEOUT_MS, 100, 120_000, 'milliseconds', 'Longest a connection and its authentication may take; longer on a link whose measured round trip needs it (three round trips, five with TLS, at most 60 s). Default 10 000 ms; 100 ms to 2 min.')),
    sendTimeoutMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_SEND_TIMEOUT_MS, 100, 300_000, 'milliseconds', "Longest a deposit waits for the relay's acceptance; longer on a link whose measured round trip needs it (at most 120 s). Default 15 000 ms; 100 ms to 5 min.")),
    minReconnectDelayMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MIN_RECONNECT_MS, 10, 60_000, 'milliseconds', 'First reconnection delay; it doubles (with full jitter) up to the maximum. Default 250 ms; 10 ms to 1 min.')),
    maxReconnectDelayMs: OptionType.ReadonlyOptional(wholeOption(undefined, 10, 3_600_000, 'milliseconds', 'Longest reconnection delay. Default 30 000 ms (at least the minimum); at least the minimum, at most 1 h.')),
    maxPendingSends: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_PENDING_SENDS, 1, 65_536, 'sends', "Deposits awaiting the relay's answer at once; more fail with QUOTA_EXCEEDED. Default 256; 1 to 65 536.")),
    maxPendingDeliveries: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_PENDING_DELIVERIES, 1, 65_536, 'deliveries', 'Pushed envelopes the node has not yet stored; a relay pushing more is dropped as misbehaving. Default 256; 1 to 65 536.')),
    collect: OptionType.ReadonlyOptional(flagOption(true, "Collect the identity's mailbox (true) or only deposit (false). Default true.")),
    tls: OptionType.ReadonlyOptional(tlsClientOption("TLS settings for wss:// (handed to `ws`, node's tls.connect).")),
    certificate: OptionType.ReadonlyOptional(OptionType.Uint8Array({ minByteLength: 1, maxByteLength: MAX_CERTIFICATE_CHAIN_BYTES, description: "The identity's organisation certificate chain (`encodeChain` of @herald/trust), sent before AUTH so that a relay admitting only certified clients lets this one in. Default: none.", errorMessage: `expected the encoded certificate chain (1 to ${MAX_CERTIFICATE_CHAIN_BYTES} bytes)` })),
    localAddress: OptionType.ReadonlyOptional(textOption('an IPv4 or IPv6 address', 'The local IP address connections leave from (an address of this host), for hosts with several and for tests that need clients on distinct addresses. Default: the one the system picks.')),
    padding: OptionType.ReadonlyOptional(oneOfOption(PADDING_MODES, 'preferred', "Pad every frame, both ways, to a size bucket (docs/relay-protocol.md 10), so the lengths an observer sees do not tell acknowledgements, pushes and pings apart. `preferred`: ask, and talk unpadded to a relay that does not pad; `required`: refuse such a relay (CHANNEL_REJECTED); `off`: never pad. Default preferred.")),
    coverTraffic: OptionType.ReadonlyOptional(
      OptionType.Object(
        {
          framesPerMinute: OptionType.Readonly(wholeOption(undefined, 1, 6_000, 'frames per minute', 'Mean rate of cover frames, at Poisson times from the CSPRNG; real frames take the place of due cover frames. 1 to 6 000.')),
          frameBytes: OptionType.ReadonlyOptional(wholeOption(MIN_FRAME_BUCKET, MIN_FRAME_BUCKET, 1024 * 1024, 'bytes', 'Length of each cover frame on the wire: a frame bucket (512, 768, 1 280, 2 304, 4 352, …). Real frames larger than this still stand out. Default 512, the bucket of every control frame and of a short one-recipient message.')),
          echo: OptionType.ReadonlyOptional(flagOption(true, 'Ask the relay to answer each cover frame with one of the same length, and to send cover frames of its own at the same rate (which this end answers), so cover flows both ways as a deposit and its acceptance, and a push and its acknowledgement, do. Default true.')),
        },
        { additionalProperties: false, errorMessage: 'expected { framesPerMinute, frameBytes?, echo? }' },
      ),
    ),
    proxy: OptionType.ReadonlyOptional(OptionType.Unsafe<ProxyOption>(OptionType.Any({ description: "The proxy connections go through: `socks5h://host:port` (Tor: socks5h://127.0.0.1:9050) or `http://host:port` (CONNECT), credentials in the URL if the proxy wants them; the proxy resolves the relay's host name. false: always direct. Default: `HTTPS_PROXY`, then `ALL_PROXY`, unless `NO_PROXY` names the relay's host or it is loopback." }))),
  },
  { additionalProperties: false },
);

/** Everything a WebSocket transport can be told (WebSocketTransportInitSchema describes each field and its default). */
export interface WebSocketTransportInit extends OptionsOf<typeof WebSocketTransportInitSchema> {}

/** TLS settings handed to `ws` (node's tls.connect) for wss:// URLs. */
export type WebSocketTlsOptions = NonNullable<WebSocketTransportInit['tls']>;

/** What a connection's cover traffic is told (`coverTraffic`, resolved; docs/relay-protocol.md 10.4). */
export interface CoverTraffic {
  /** Mean rate of the cover process, frames per minute. */
  readonly framesPerMinute: number;
  /** Length of each cover frame on the wire: a frame bucket (frameBucket). */
  readonly frameBytes: number;
  /** Ask the relay to answer each cover frame with one of the same length, and to send its own at the same rate. */
  readonly echo: boolean;
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
  readonly proxy: ResolvedProxy | undefined;
  readonly padding: (typeof PADDING_MODES)[number];
  /** Cover traffic on each padded connection; undefined: none. */
  readonly coverTraffic: CoverTraffic | undefined;
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

function localAddress(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (socketPlatform.name === 'browser') throw new OptionsError('webSocketTransport: localAddress: a web page cannot choose its source address');
  if (typeof value !== 'string' || !socketPlatform.isIpAddress(value)) throw new OptionsError(`webSocketTransport: localAddress: expected an IPv4 or IPv6 address, got ${JSON.stringify(value)}`);
  return value;
}

function relayProxy(value: unknown, url: string): ResolvedProxy | undefined {
  if (value !== undefined && value !== false && typeof value !== 'string') throw new OptionsError('webSocketTransport: proxy: expected a proxy URL or false');
  const { hostname, port, protocol } = new URL(url);
  return proxyFor(value, hostname.replace(/^\[(.*)\]$/, '$1'), port === '' ? (protocol === 'wss:' ? 443 : 80) : Number(port), 'webSocketTransport: proxy');
}

function coverTraffic(init: WebSocketTransportInit): CoverTraffic | undefined {
  const cover = init.coverTraffic;
  if (cover === undefined) return undefined;
  if (init.padding === 'off') throw new OptionsError('webSocketTransport: coverTraffic: needs padding (cover frames are padded frames); padding is off');
  const frameBytes = cover.frameBytes ?? MIN_FRAME_BUCKET;
  if (!isFrameBucket(frameBytes)) throw new OptionsError(`webSocketTransport: coverTraffic.frameBytes: expected a frame bucket (512, 768, 1280, 2304, 4352, …), got ${frameBytes}`);
  return { framesPerMinute: cover.framesPerMinute, frameBytes, echo: cover.echo ?? true };
}

export function resolveInit(init: WebSocketTransportInit): ResolvedInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError('webSocketTransport: init is required ({ url, identity })');
  const url = relayUrl(init.url);
  checkOptions(WebSocketTransportInitSchema, init, 'webSocketTransport');
  const identity = init.identity;
  if (!identity?.card?.signingPublicKey || !(identity.signingSecretKey instanceof Uint8Array) || !(identity.agreementSecretKey instanceof Uint8Array)) {
    throw new OptionsError('webSocketTransport: identity: expected an Identity (generateIdentity, readSecretKeyFile)');
  }
  // A page has the browser's own certificate checks and proxy settings; it cannot be given others.
  if (socketPlatform.name === 'browser' && init.tls !== undefined) throw new OptionsError("webSocketTransport: tls: a web page uses the browser's own certificate checks (omit tls)");
  if (socketPlatform.name === 'browser' && typeof init.proxy === 'string') throw new OptionsError("webSocketTransport: proxy: a web page goes through the browser's own proxy settings (omit proxy)");
  const name = init.name ?? url;
  const heartbeatIntervalMs = init.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const heartbeatTimeoutMs = wholeInRange('webSocketTransport', 'heartbeatTimeoutMs', init.heartbeatTimeoutMs ?? Math.max(DEFAULT_HEARTBEAT_TIMEOUT_MS, 2 * heartbeatIntervalMs), heartbeatIntervalMs + 1, 300_000, 'milliseconds');
  const minReconnectDelayMs = init.minReconnectDelayMs ?? DEFAULT_MIN_RECONNECT_MS;
  const maxReconnectDelayMs = wholeInRange('webSocketTransport', 'maxReconnectDelayMs', init.maxReconnectDelayMs ?? Math.max(DEFAULT_MAX_RECONNECT_MS, minReconnectDelayMs), minReconnectDelayMs, 3_600_000, 'milliseconds');
  return {
    url,
    identity,
    name,
    maxEnvelopeBytes: init.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES,
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
    connectTimeoutMs: init.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    sendTimeoutMs: init.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
    minReconnectDelayMs,
    maxReconnectDelayMs,
    maxPendingSends: init.maxPendingSends ?? DEFAULT_MAX_PENDING_SENDS,
    maxPendingDeliveries: init.maxPendingDeliveries ?? DEFAULT_MAX_PENDING_DELIVERIES,
    collect: init.collect ?? true,
    tls: init.tls,
    certificate: init.certificate,
    localAddress: localAddress(init.localAddress),
    proxy: relayProxy(init.proxy, url),
    padding: init.padding ?? 'preferred',
    coverTraffic: coverTraffic(init),
  };
}
