import { checkOptions, flagOption, knownOptions, oneOfOption, OptionsError, OptionType, textListOption, textOption, wholeOption, type OptionsOf } from '@herald/core';
import { resolveNatsStoreOptions, type NatsStoreOptions } from './store/nats/options.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const MiB = 1024 * 1024;
/** `host:port`, `[v6]:port`. */
const ADDRESS = '^\\s*(?:\\[[0-9a-fA-F:.]+\\]|[^:\\s[\\]]+):\\d{1,5}\\s*$';
/** `host:port`, or a bare port (on loopback). */
const METRICS_ADDRESS = '^\\s*(?:(?:\\[[0-9a-fA-F:.]+\\]|[^:\\s[\\]]+):)?\\d{1,5}\\s*$';

/**
 * Everything a relay can be told, by `startRelay(init)`, by the YAML config file or by flags (docs/operations.md):
 * the one declaration of the relay's options. It yields the `RelayInit` type, the check `resolveRelayInit` runs, and
 * the JSON Schema of the config file (docs/schemas/relay-config.schema.json). Each field's description states its
 * default; numbers are whole, in the unit and range given.
 */
export const RelayInitSchema = OptionType.Object(
  {
    listen: OptionType.ReadonlyOptional(textOption('host:port (e.g. 127.0.0.1:7700, [::1]:7700, 0.0.0.0:0)', 'Where to listen, `host:port`. Port 0 picks a free port (the handle\'s `url` says which). Default `127.0.0.1:7700`.', ADDRESS)),
    dataDir: OptionType.Readonly(textOption('a directory path', 'Directory of the LMDB mailbox store; created if missing. Required. With `store` (a NATS cluster) it holds only what stays on this machine: the embedded MQTT broker\'s sessions.')),
    store: OptionType.ReadonlyOptional(OptionType.Unsafe<string | NatsStoreOptions>(OptionType.Any({ description: 'Keep the mailboxes in a NATS JetStream cluster instead of LMDB in dataDir, shared by every relay given the same cluster (and `name`): `nats://h1:4222,h2:4222,h3:4222`, or a mapping with `servers` and the options of store/nats/options.ts (replicas — default 3 —, name, user/password, token, credentialsFile, tls, sourceDomains, sources, duplicateWindowMs, timeouts). Default: none (LMDB).' }))),
    publicUrls: OptionType.ReadonlyOptional(textListOption('The URLs clients dial (`ws://relay.example:7700`, `wss://…/herald`). A client signs the URL it dialled, and an authentication signed for another URL is refused, so a rogue relay cannot pass a client\'s answer on to this one. Default: the listening URL; when listening on a wildcard address (0.0.0.0, ::) and none are given, any URL is accepted.')),
    decoySite: OptionType.ReadonlyOptional(textOption('a directory path', 'Look like an ordinary web server: serve this folder of static files (`herald relay --decoy-site`) on the relay\'s port to anyone who does not dial the relay\'s keyed path, WebSocket upgrades included; the Herald service answers only on that path, derived from a secret kept in `<dataDir>/knock.key` (0600), and the relay prints the full URL members are given at start. /healthz then moves to metricsListen only. Cannot be combined with decoyProxy. Default: none (no knock; any path is the relay).')),
    decoyProxy: OptionType.ReadonlyOptional(textOption('an http:// or https:// URL', 'As decoySite, but the decoy is a real website behind a reverse proxy (`--decoy-proxy https://example.org/`): requests and upgrades without the knock go there and its answers come back unchanged. Default: none.')),
    metricsListen: OptionType.ReadonlyOptional(textOption('host:port, or a port', 'Serve /metrics (and /healthz) on this separate `host:port`, or on 127.0.0.1 at a bare `port`. Default: none, and no /metrics at all: the public listener serves /healthz only, so counts and latencies are never shown to the Internet.', METRICS_ADDRESS)),
    smtp: OptionType.ReadonlyOptional(textOption('host:port (e.g. 127.0.0.1:7700, [::1]:7700, 0.0.0.0:0)', 'Also accept envelopes by SMTP on this `host:port` (`herald relay --smtp`), for stations that can only send mail: any recipient address, routing by the envelopes\' tags, 250 only once stored. Cannot be combined with allowDeposit (an SMTP deposit carries no identity). Default: none.', ADDRESS)),
    mqtt: OptionType.ReadonlyOptional(textOption('host:port (e.g. 127.0.0.1:7700, [::1]:7700, 0.0.0.0:0)', 'Also run the embedded MQTT broker (Aedes, sessions in `<dataDir>/mqtt`) on this `host:port`, for mqtt:// channels. Default: none.', ADDRESS)),
    maxEnvelopeBytes: OptionType.ReadonlyOptional(wholeOption(MiB, 1024, 64 * MiB, 'bytes', 'Largest envelope accepted. Default 1 MiB; 1 KiB to 64 MiB.')),
    mailboxMaxEnvelopes: OptionType.ReadonlyOptional(wholeOption(10_000, 1, 10_000_000, 'envelopes', 'Envelopes one mailbox holds at most. Default 10 000.')),
    mailboxMaxBytes: OptionType.ReadonlyOptional(wholeOption(64 * MiB, 1024, 2 ** 40, 'bytes', 'Bytes one mailbox holds at most. Default 64 MiB.')),
    maxStoredBytes: OptionType.ReadonlyOptional(wholeOption(1024 * MiB, 1024, 2 ** 46, 'bytes', 'Bytes all mailboxes hold together at most. Default 1 GiB.')),
    maxStoredEnvelopes: OptionType.ReadonlyOptional(wholeOption(1_000_000, 1, 100_000_000, 'envelopes', 'Envelopes all mailboxes hold together at most. Default 1 000 000. The relay keeps a small index entry in memory for each stored envelope (about 300 bytes), so this also bounds that memory.')),
    writeBehindMs: OptionType.ReadonlyOptional(wholeOption(20, 0, 1000, 'milliseconds', 'How long the write of an envelope just pushed to its connected recipient is held back: an ACK within this time means the recipient\'s node stored it, so the relay never writes it (the depositor\'s ACCEPTED then comes with the ACK). 0 writes every envelope at once. Default 20 ms.')),
    maxRetentionSeconds: OptionType.ReadonlyOptional(wholeOption(30 * 86_400, 1, 400 * 86_400, 'seconds', 'An envelope is kept until it expires, or this long at most. Default 30 days (2 592 000 s).')),
    maxConnections: OptionType.ReadonlyOptional(wholeOption(10_000, 1, 1_000_000, 'connections', 'Open connections at most; more are closed with 4029 TOO_MANY_CONNECTIONS. Default 10 000.')),
    maxConnectionsPerAddress: OptionType.ReadonlyOptional(wholeOption(256, 1, 1_000_000, 'connections', 'Open connections from one source address at most (an IPv6 address counts by its /64); more are closed with 4029 TOO_MANY_CONNECTIONS. The address is the socket\'s peer: behind a reverse proxy, the proxy\'s. Default 256.')),
    maxAuthenticating: OptionType.ReadonlyOptional(wholeOption(4096, 1, 1_000_000, 'connections', 'Connections still authenticating (from the TCP accept to WELCOME) at most; more are closed with 4029. Until WELCOME a connection may send only frames up to PRE_AUTH_MAX_FRAME_BYTES (6 402 bytes). Default 4 096.')),
    maxAuthenticatingPerAddress: OptionType.ReadonlyOptional(wholeOption(64, 1, 1_000_000, 'connections', 'Connections still authenticating from one source address at most; more are closed with 4029. Default 64.')),
    depositorMaxEnvelopes: OptionType.ReadonlyOptional(wholeOption(10_000, 1, 100_000_000, 'envelopes', 'Envelopes one depositing identity may have stored here at once; more: DEPOSITOR_QUOTA. Default 10 000.')),
    depositorMaxBytes: OptionType.ReadonlyOptional(wholeOption(64 * MiB, 1024, 2 ** 46, 'bytes', 'Bytes one depositing identity may have stored here at once; more: DEPOSITOR_QUOTA. Default 64 MiB.')),
    depositorDepositsPerSecond: OptionType.ReadonlyOptional(wholeOption(500, 1, 1_000_000, 'deposits per second', 'Deposits per second one identity may make over all its connections (token bucket, burst twice this). Default 500.')),
    addressMaxEnvelopes: OptionType.ReadonlyOptional(wholeOption(50_000, 1, 100_000_000, 'envelopes', 'Envelopes deposited from one source address that may be stored here at once; more: DEPOSITOR_QUOTA. Default 50 000.')),
    addressMaxBytes: OptionType.ReadonlyOptional(wholeOption(256 * MiB, 1024, 2 ** 46, 'bytes', 'Bytes deposited from one source address that may be stored here at once; more: DEPOSITOR_QUOTA. Default 256 MiB.')),
    addressDepositsPerSecond: OptionType.ReadonlyOptional(wholeOption(1000, 1, 1_000_000, 'deposits per second', 'Deposits per second from one source address over all its connections and identities (burst twice this). Default 1 000.')),
    highWaterPercent: OptionType.ReadonlyOptional(wholeOption(80, 1, 99, 'percent', 'Above this share (percent) of maxStoredBytes or maxStoredEnvelopes, the relay is nearly full: each identity and each address may then hold only a part of its quota, shrinking linearly to nothing at 100 %, so the heaviest depositors are refused first (RELAY_NEARLY_FULL). Default 80.')),
    uncollectedMailboxMaxEnvelopes: OptionType.ReadonlyOptional(wholeOption(100, 1, 10_000_000, 'envelopes', 'Envelopes a mailbox nobody ever collected holds at most (MAILBOX_FULL). Default 100 (at most mailboxMaxEnvelopes).')),
    uncollectedMailboxMaxBytes: OptionType.ReadonlyOptional(wholeOption(4 * MiB, 1024, 2 ** 40, 'bytes', 'Bytes a mailbox nobody ever collected holds at most (MAILBOX_FULL). Default 4 MiB, or maxEnvelopeBytes if larger (at most mailboxMaxBytes).')),
    uncollectedRetentionSeconds: OptionType.ReadonlyOptional(wholeOption(7 * 86_400, 1, 400 * 86_400, 'seconds', 'How long an envelope for a mailbox nobody ever collected is kept at most. Default 7 days (at most maxRetentionSeconds).')),
    mqttMaxSessions: OptionType.ReadonlyOptional(wholeOption(100_000, 1, 10_000_000, 'sessions', 'The embedded MQTT broker\'s persistent sessions (clients with subscriptions, kept while they are away) at most; a new client\'s SUBSCRIBE beyond is refused (SUBACK 0x80). Default 100 000.')),
    mqttSessionExpirySeconds: OptionType.ReadonlyOptional(wholeOption(30 * 86_400, 1, 400 * 86_400, 'seconds', 'An embedded-broker session whose client has not been connected for this long is ended, with its queued messages; checked every purgeIntervalMs. Default 30 days (2 592 000 s), like maxRetentionSeconds.')),
    mqttSessionMaxEnvelopes: OptionType.ReadonlyOptional(wholeOption(10_000, 1, 10_000_000, 'envelopes', 'Messages the embedded broker queues for one session at most; a publish that would pass it is refused (no PUBACK). Default 10 000.')),
    mqttSessionMaxBytes: OptionType.ReadonlyOptional(wholeOption(64 * MiB, 1024, 2 ** 40, 'bytes', 'Payload bytes the embedded broker queues for one session at most; a publish that would pass it is refused (no PUBACK). Default 64 MiB.')),
    mqttClientMaxEnvelopes: OptionType.ReadonlyOptional(wholeOption(10_000, 1, 10_000_000, 'envelopes', 'Messages one publishing client has queued in the embedded broker, over all sessions, at most (each copy counts); its publishes beyond are refused (no PUBACK) until some are delivered. Default 10 000.')),
    mqttClientMaxBytes: OptionType.ReadonlyOptional(wholeOption(64 * MiB, 1024, 2 ** 40, 'bytes', 'Payload bytes one publishing client has queued in the embedded broker, over all sessions, at most (each copy counts). Default 64 MiB.')),
    mqttPublicUrls: OptionType.ReadonlyOptional(textListOption('The `mqtt://host:port` or `mqtts://host:port` URLs clients dial to reach the embedded broker when that is not its own address: a port forward, a TLS terminator (mqtts:// in front of the plain broker), a proxy. A client signs the broker URL it dialled, so without them a proof signed for the forwarded address is refused. Identity and mailbox proofs signed for exactly one of these (scheme, host and port) are accepted besides the broker\'s own port. Needs mqtt. Default: none.')),
    mqttAnonymous: OptionType.ReadonlyOptional(flagOption(false, '* The embedded broker also admits clients that prove no identity key (any client id, no allow-list applies to them). Default false: only clients whose CONNECT proves an identity key (docs/relay-protocol.md section 9).')),
    padding: OptionType.ReadonlyOptional(flagOption(true, 'Pad every frame to a size bucket, both ways, for clients that ask (`?herald-pad=1`, docs/relay-protocol.md 10), so the lengths an observer sees do not tell acknowledgements, pushes and pings apart. false: answer like a relay that predates padding (clients then talk unpadded). Default true; costs about 1.2–1.6× the bytes of small envelopes (bench:shape).')),
    coverEcho: OptionType.ReadonlyOptional(flagOption(true, 'Answer a padded client\'s cover frame that asks for an echo with a cover frame of the same length, so cover traffic flows both ways; each cover frame takes a token from the connection\'s deposit bucket (depositsPerSecond), and one without a token is dropped unanswered. false: cover frames are dropped. Default true.')),
    coverMaxFramesPerMinute: OptionType.ReadonlyOptional(wholeOption(600, 0, 6000, 'frames per minute', 'A padded client with cover traffic asks (`?herald-cover=N`) for cover frames from the relay too, at N a minute, which it answers as it answers a push: the relay sends them at N or this cap, whichever is lower, as long as the client\'s own last cover frame (at most 16 640 bytes), each taking a token of the connection\'s deposit bucket. 0: the relay sends no cover of its own (it still echoes, with coverEcho). Default 600.')),
    authTimeoutMs: OptionType.ReadonlyOptional(wholeOption(10_000, 100, 300_000, 'milliseconds', 'Time a connection has to authenticate; then it is closed with 4001 AUTH_TIMEOUT. Default 10 000 ms.')),
    heartbeatIntervalMs: OptionType.ReadonlyOptional(wholeOption(15_000, 100, 600_000, 'milliseconds', 'Interval of the relay\'s pings; a client silent for two intervals is dropped. Default 15 000 ms.')),
    depositsPerSecond: OptionType.ReadonlyOptional(wholeOption(500, 1, 1_000_000, 'deposits per second', 'Deposits per second a connection may make (token bucket). Default 500.')),
    depositBurst: OptionType.ReadonlyOptional(wholeOption(1_000, 1, 10_000_000, 'deposits', 'Bucket size: deposits a connection may make at once after a quiet spell. Default 1 000.')),
    maxPendingDeposits: OptionType.ReadonlyOptional(wholeOption(256, 1, 65_536, 'deposits', 'Deposits of one connection being stored at once; more are refused with RATE_LIMITED. Default 256.')),
    pushWindow: OptionType.ReadonlyOptional(wholeOption(128, 1, 4096, 'envelopes', 'Pushed envelopes a connection may leave unacknowledged; pushing pauses beyond. Default 128 (half the transport\'s maxPendingDeliveries).')),
    pauseBufferedBytes: OptionType.ReadonlyOptional(wholeOption(MiB, 1024, 1024 * MiB, 'bytes', 'Pushing to a connection pauses while its send buffer holds more than this. Default 1 MiB.')),
    maxBufferedBytes: OptionType.ReadonlyOptional(wholeOption(16 * MiB, 1024, 4096 * MiB, 'bytes', 'A connection whose send buffer passes this is a slow consumer and is closed with 4008 SLOW_CONSUMER. Default 16 MiB.')),
    purgeIntervalMs: OptionType.ReadonlyOptional(wholeOption(60_000, 100, 86_400_000, 'milliseconds', 'How often expired envelopes are purged. Default 60 000 ms.')),
    allowDeposit: OptionType.ReadonlyOptional(textListOption('Card files of identities allowed to deposit. Default: anyone who authenticates.')),
    allowCollect: OptionType.ReadonlyOptional(textListOption('Card files of identities whose mailboxes may be collected here. Default: any proven mailbox.')),
    admitAuthorities: OptionType.ReadonlyOptional(textListOption('Card files of organisation authorities: only clients showing a valid certificate chain to one of them are admitted (docs/relay-protocol.md 4.1). Cannot be combined with smtp or mqtt, whose clients carry no identity. Default: none.')),
    admitRevocations: OptionType.ReadonlyOptional(textOption('a file path, with admitAuthorities', 'A revocation list file of those authorities, watched: a newer list closes revoked clients at once. Default: none.')),
    logLevel: OptionType.ReadonlyOptional(oneOfOption(LOG_LEVELS, 'info', 'pino level: fatal, error, warn, info, debug, trace or silent. Default info.')),
    mapSize: OptionType.ReadonlyOptional(wholeOption(2048 * MiB, MiB, 2 ** 46, 'bytes', 'Initial LMDB map size in bytes. Default 2 GiB.')),
    minFreeBytes: OptionType.ReadonlyOptional(wholeOption(64 * MiB, 0, 2 ** 40, 'bytes', 'Deposits are refused with STORAGE_FULL while the file system of dataDir has less than this free: the room left is for acknowledgements (removals need new pages too) and the relay never meets a full disk. 0: no check. Default 64 MiB.')),
    storageRetryMs: OptionType.ReadonlyOptional(wholeOption(5_000, 10, 3_600_000, 'milliseconds', 'After a deposit was refused for want of disk space or its commit failed, deposits are refused with STORAGE_FULL (or UNAVAILABLE) for this long, then tried again: the first one committed ends the refusals. Default 5 000 ms.')),
    shutdownTimeoutMs: OptionType.ReadonlyOptional(wholeOption(10_000, 0, 600_000, 'milliseconds', 'Longest a graceful shutdown waits for deposits under way. Default 10 000 ms.')),
  },
  { additionalProperties: false },
);

/** Everything a relay can be told (RelayInitSchema describes each field and its default). */
// An interface, not an alias: its members are computed once, and read as plain fields in other packages.
export interface RelayInit extends OptionsOf<typeof RelayInitSchema> {}

export type ResolvedRelayInit = Required<Omit<RelayInit, 'publicUrls' | 'mqttPublicUrls' | 'metricsListen' | 'allowDeposit' | 'allowCollect' | 'mqtt' | 'smtp' | 'admitAuthorities' | 'admitRevocations' | 'store' | 'decoySite' | 'decoyProxy'>> & {
  /** The decoy website (static folder or proxied site), or undefined for a relay without knock. */
  readonly decoySite: string | undefined;
  readonly decoyProxy: string | undefined;
  /** The NATS cluster's options (validated), or undefined for LMDB in dataDir. */
  readonly store: NatsStoreOptions | undefined;
  readonly host: string;
  readonly port: number;
  readonly publicUrls: readonly string[] | undefined;
  readonly mqttPublicUrls: readonly string[] | undefined;
  readonly metrics: { readonly host: string; readonly port: number } | undefined;
  readonly smtp: { readonly host: string; readonly port: number } | undefined;
  readonly mqtt: { readonly host: string; readonly port: number } | undefined;
  readonly allowDeposit: readonly string[] | undefined;
  readonly allowCollect: readonly string[] | undefined;
  readonly admitAuthorities: readonly string[] | undefined;
  readonly admitRevocations: string | undefined;
};

/** The numeric options (each a whole number in a unit and range), with their defaults. */
const NUMERIC = Object.entries(RelayInitSchema.properties).filter(([, schema]) => schema.type === 'integer') as [keyof ResolvedRelayInit, { default: number }][];

export const KNOWN_OPTIONS: ReadonlySet<string> = knownOptions(RelayInitSchema);

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** `host:port`, `[v6]:port`; port 0 to 65535. */
export function parseAddress(value: unknown, where: string): { host: string; port: number } {
  if (typeof value !== 'string') throw new OptionsError(`${where}: expected host:port, got ${describe(value)}`);
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65_535) throw new OptionsError(`${where}: expected host:port (e.g. 127.0.0.1:7700, [::1]:7700, 0.0.0.0:0), got ${describe(value)}`);
  return { host: (match[1] ?? match[2])!, port };
}

/** A metrics listener's address: `host:port`, or a bare port on loopback (metrics are for the operator, not the Internet). */
export function parseMetricsAddress(value: unknown, where: string): { host: string; port: number } {
  const text = typeof value === 'number' ? String(value) : value;
  return parseAddress(typeof text === 'string' && /^\d+$/.test(text.trim()) ? `127.0.0.1:${text.trim()}` : text, where);
}

/** Validates every field (the message names it, under `where`) and fills in the defaults. */
export function resolveRelayInit(init: RelayInit, where = 'startRelay'): ResolvedRelayInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError(`${where}: expected an object with at least dataDir`);
  checkOptions(RelayInitSchema, init, where);
  const numbers = Object.fromEntries(NUMERIC.map(([field, schema]) => [field, (init as Record<string, unknown>)[field] ?? schema.default])) as Record<(typeof NUMERIC)[number][0], number>;
  // Unset, a never-collected mailbox takes at least one largest envelope (a first message always fits, when any
  // mailbox can hold it); and it never gets more than any mailbox gets: its defaults shrink to fit.
  if (init.uncollectedMailboxMaxBytes === undefined) numbers.uncollectedMailboxMaxBytes = Math.max(numbers.uncollectedMailboxMaxBytes, numbers.maxEnvelopeBytes);
  for (const [field, cap] of [['uncollectedMailboxMaxEnvelopes', 'mailboxMaxEnvelopes'], ['uncollectedMailboxMaxBytes', 'mailboxMaxBytes'], ['uncollectedRetentionSeconds', 'maxRetentionSeconds']] as const) {
    if (init[field] === undefined) numbers[field] = Math.min(numbers[field], numbers[cap]);
    else if (numbers[field] > numbers[cap]) throw new OptionsError(`${where}: ${field} (${numbers[field]}) must be at most ${cap} (${numbers[cap]})`);
  }
  if (numbers.maxAuthenticatingPerAddress > numbers.maxConnectionsPerAddress) throw new OptionsError(`${where}: maxAuthenticatingPerAddress (${numbers.maxAuthenticatingPerAddress}) must be at most maxConnectionsPerAddress (${numbers.maxConnectionsPerAddress})`);
  if (numbers.maxBufferedBytes < numbers.pauseBufferedBytes) throw new OptionsError(`${where}: maxBufferedBytes (${numbers.maxBufferedBytes}) must be at least pauseBufferedBytes (${numbers.pauseBufferedBytes})`);
  let store: NatsStoreOptions | undefined;
  if (init.store !== undefined) {
    store = typeof init.store === 'string' ? { servers: init.store } : init.store;
    resolveNatsStoreOptions(store, `${where}: store`);
  }
  const listen = init.listen ?? '127.0.0.1:7700';
  const { host, port } = parseAddress(listen, `${where}: listen`);
  const metrics = init.metricsListen === undefined ? undefined : parseMetricsAddress(init.metricsListen, `${where}: metricsListen`);
  const smtp = init.smtp === undefined ? undefined : parseAddress(init.smtp, `${where}: smtp`);
  if (smtp && init.allowDeposit !== undefined) throw new OptionsError(`${where}: smtp cannot be combined with allowDeposit: an SMTP deposit carries no identity to check against the list`);
  const mqtt = init.mqtt === undefined ? undefined : parseAddress(init.mqtt, `${where}: mqtt`);
  const mqttAnonymous = init.mqttAnonymous ?? false;
  const mqttPublicUrls = init.mqttPublicUrls;
  if (mqttPublicUrls !== undefined && !mqtt) throw new OptionsError(`${where}: mqttPublicUrls: needs mqtt (the embedded broker they lead to)`);
  for (const url of mqttPublicUrls ?? []) {
    const parsed = urlOf(url);
    if (!parsed || (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'mqtts:')) throw new OptionsError(`${where}: mqttPublicUrls: ${describe(url)} is not an mqtt:// or mqtts:// URL`);
    if (parsed.username || parsed.password || (parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search || parsed.hash) throw new OptionsError(`${where}: mqttPublicUrls: ${describe(url)}: expected scheme, host and port only, as clients sign it`);
  }
  const admitAuthorities = init.admitAuthorities;
  if (admitAuthorities && (smtp || mqtt)) throw new OptionsError(`${where}: admitAuthorities cannot be combined with ${smtp ? 'smtp' : 'mqtt'}: its clients carry no identity to check a certificate against`);
  const admitRevocations = init.admitRevocations;
  if (admitRevocations !== undefined && !admitAuthorities) throw new OptionsError(`${where}: admitRevocations: expected a file path, with admitAuthorities`);
  const publicUrls = init.publicUrls;
  for (const url of publicUrls ?? []) {
    const parsed = urlOf(url);
    if (!parsed || (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')) throw new OptionsError(`${where}: publicUrls: ${describe(url)} is not a ws:// or wss:// URL`);
  }
  if (init.decoySite !== undefined && init.decoyProxy !== undefined) throw new OptionsError(`${where}: decoySite cannot be combined with decoyProxy: give one decoy`);
  if (init.decoySite !== undefined && init.decoySite.trim() === '') throw new OptionsError(`${where}: decoySite: expected a directory path, got ""`);
  if (init.decoyProxy !== undefined) {
    const parsed = urlOf(init.decoyProxy);
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw new OptionsError(`${where}: decoyProxy: expected an http:// or https:// URL, got ${describe(init.decoyProxy)}`);
  }
  const logLevel = init.logLevel ?? 'info';
  return {
    ...numbers,
    listen,
    host,
    port,
    dataDir: init.dataDir,
    store,
    publicUrls,
    metrics,
    smtp,
    mqtt,
    mqttAnonymous,
    mqttPublicUrls,
    padding: init.padding ?? true,
    coverEcho: init.coverEcho ?? true,
    allowDeposit: init.allowDeposit,
    allowCollect: init.allowCollect,
    admitAuthorities,
    admitRevocations,
    decoySite: init.decoySite,
    decoyProxy: init.decoyProxy,
    logLevel,
  };
}

/** The URL `value` parses to, or undefined: option checks then say what was expected. */
function urlOf(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
