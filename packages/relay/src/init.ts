import { OptionsError } from '@herald/core';
import { resolveNatsStoreOptions, type NatsStoreOptions } from './store/nats/options.js';

/** Everything a relay can be told, by `startRelay(init)`, by the YAML config file or by flags (docs/operations.md). */
export interface RelayInit {
  /** Where to listen, `host:port`. Port 0 picks a free port (the handle's `url` says which). Default `127.0.0.1:7700`. */
  readonly listen?: string;
  /**
   * Directory of the LMDB mailbox store; created if missing. Required. With `store` (a NATS cluster) it holds only
   * what stays on this machine: the embedded MQTT broker's sessions.
   */
  readonly dataDir: string;
  /**
   * Keep the mailboxes in a NATS JetStream cluster instead of LMDB in dataDir, shared by every relay given the same
   * cluster (and `name`): `nats://h1:4222,h2:4222,h3:4222`, or an object with `servers` and the options of
   * store/nats/options.ts (replicas — default 3 —, name, user/password, token, credentialsFile, tls, timeouts).
   * Default: none (LMDB).
   */
  readonly store?: string | NatsStoreOptions;
  /**
   * The URLs clients dial (`ws://relay.example:7700`, `wss://…/herald`). A client signs the URL it dialled, and an
   * authentication signed for another URL is refused, so a rogue relay cannot pass a client's answer on to this one.
   * Default: the listening URL; when listening on a wildcard address (0.0.0.0, ::) and none are given, any URL is accepted.
   */
  readonly publicUrls?: readonly string[];
  /**
   * Serve /metrics (and /healthz) on this separate `host:port`, or on 127.0.0.1 at a bare `port`. Default: none, and no
   * /metrics at all: the public listener serves /healthz only, so counts and latencies are never shown to the Internet.
   */
  readonly metricsListen?: string;
  /**
   * Also accept envelopes by SMTP on this `host:port` (`herald relay --smtp`), for stations that can only send mail:
   * any recipient address, routing by the envelopes' tags, 250 only once stored. Cannot be combined with allowDeposit
   * (an SMTP deposit carries no identity). Default: none.
   */
  readonly smtp?: string;
  /** Also run the embedded MQTT broker (Aedes, sessions in `<dataDir>/mqtt`) on this `host:port`, for mqtt:// channels. Default: none. */
  readonly mqtt?: string;
  /** Largest envelope accepted. Default 1 MiB; 1 KiB to 64 MiB. */
  readonly maxEnvelopeBytes?: number;
  /** Envelopes one mailbox holds at most. Default 10 000. */
  readonly mailboxMaxEnvelopes?: number;
  /** Bytes one mailbox holds at most. Default 64 MiB. */
  readonly mailboxMaxBytes?: number;
  /** Bytes all mailboxes hold together at most. Default 1 GiB. */
  readonly maxStoredBytes?: number;
  /**
   * Envelopes all mailboxes hold together at most. Default 1 000 000. The relay keeps a small index entry in memory
   * for each stored envelope (about 300 bytes), so this also bounds that memory.
   */
  readonly maxStoredEnvelopes?: number;
  /**
   * How long the write of an envelope just pushed to its connected recipient is held back: an ACK within this
   * time means the recipient's node stored it, so the relay never writes it (the depositor's ACCEPTED then comes
   * with the ACK). 0 writes every envelope at once. Default 20 ms.
   */
  readonly writeBehindMs?: number;
  /** An envelope is kept until it expires, or this long at most. Default 30 days (2 592 000 s). */
  readonly maxRetentionSeconds?: number;
  /** Open connections at most; more are closed with 4029 TOO_MANY_CONNECTIONS. Default 10 000. */
  readonly maxConnections?: number;
  /**
   * Open connections from one source address at most (an IPv6 address counts by its /64); more are closed with
   * 4029 TOO_MANY_CONNECTIONS. The address is the socket's peer: behind a reverse proxy, the proxy's. Default 256.
   */
  readonly maxConnectionsPerAddress?: number;
  /**
   * Connections still authenticating (from the TCP accept to WELCOME) at most; more are closed with 4029. Until
   * WELCOME a connection may send only frames up to PRE_AUTH_MAX_FRAME_BYTES (3 010 bytes). Default 4 096.
   */
  readonly maxAuthenticating?: number;
  /** Connections still authenticating from one source address at most; more are closed with 4029. Default 64. */
  readonly maxAuthenticatingPerAddress?: number;
  /** Envelopes one depositing identity may have stored here at once; more: DEPOSITOR_QUOTA. Default 10 000. */
  readonly depositorMaxEnvelopes?: number;
  /** Bytes one depositing identity may have stored here at once; more: DEPOSITOR_QUOTA. Default 64 MiB. */
  readonly depositorMaxBytes?: number;
  /** Deposits per second one identity may make over all its connections (token bucket, burst twice this). Default 500. */
  readonly depositorDepositsPerSecond?: number;
  /** Envelopes deposited from one source address that may be stored here at once; more: DEPOSITOR_QUOTA. Default 50 000. */
  readonly addressMaxEnvelopes?: number;
  /** Bytes deposited from one source address that may be stored here at once; more: DEPOSITOR_QUOTA. Default 256 MiB. */
  readonly addressMaxBytes?: number;
  /** Deposits per second from one source address over all its connections and identities (burst twice this). Default 1 000. */
  readonly addressDepositsPerSecond?: number;
  /**
   * Above this share (percent) of maxStoredBytes or maxStoredEnvelopes, the relay is nearly full: each identity and
   * each address may then hold only a part of its quota, shrinking linearly to nothing at 100 %, so the heaviest
   * depositors are refused first (RELAY_NEARLY_FULL). Default 80.
   */
  readonly highWaterPercent?: number;
  /** Envelopes a mailbox nobody ever collected holds at most (MAILBOX_FULL). Default 100 (at most mailboxMaxEnvelopes). */
  readonly uncollectedMailboxMaxEnvelopes?: number;
  /** Bytes a mailbox nobody ever collected holds at most (MAILBOX_FULL). Default 4 MiB, or maxEnvelopeBytes if larger (at most mailboxMaxBytes). */
  readonly uncollectedMailboxMaxBytes?: number;
  /** How long an envelope for a mailbox nobody ever collected is kept at most. Default 7 days (at most maxRetentionSeconds). */
  readonly uncollectedRetentionSeconds?: number;
  /**
   * The embedded MQTT broker's persistent sessions (clients with subscriptions, kept while they are away) at most;
   * a new client's SUBSCRIBE beyond is refused (SUBACK 0x80). Default 100 000.
   */
  readonly mqttMaxSessions?: number;
  /**
   * An embedded-broker session whose client has not been connected for this long is ended, with its queued
   * messages; checked every purgeIntervalMs. Default 30 days (2 592 000 s), like maxRetentionSeconds.
   */
  readonly mqttSessionExpirySeconds?: number;
  /** Messages the embedded broker queues for one session at most; a publish that would pass it is refused (no PUBACK). Default 10 000. */
  readonly mqttSessionMaxEnvelopes?: number;
  /** Payload bytes the embedded broker queues for one session at most; a publish that would pass it is refused (no PUBACK). Default 64 MiB. */
  readonly mqttSessionMaxBytes?: number;
  /**
   * Messages one publishing client has queued in the embedded broker, over all sessions, at most (each copy counts);
   * its publishes beyond are refused (no PUBACK) until some are delivered. Default 10 000.
   */
  readonly mqttClientMaxEnvelopes?: number;
  /** Payload bytes one publishing client has queued in the embedded broker, over all sessions, at most (each copy counts). Default 64 MiB. */
  readonly mqttClientMaxBytes?: number;
  /**
   * The embedded broker also admits clients that prove no identity key (any client id, no allow-list applies to
   * them). Default false: only clients whose CONNECT proves an identity key (docs/relay-protocol.md section 9).
   */
  readonly mqttAnonymous?: boolean;
  /** Time a connection has to authenticate; then it is closed with 4001 AUTH_TIMEOUT. Default 10 000 ms. */
  readonly authTimeoutMs?: number;
  /** Interval of the relay's pings; a client silent for two intervals is dropped. Default 15 000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** Deposits per second a connection may make (token bucket). Default 500. */
  readonly depositsPerSecond?: number;
  /** Bucket size: deposits a connection may make at once after a quiet spell. Default 1 000. */
  readonly depositBurst?: number;
  /** Deposits of one connection being stored at once; more are refused with RATE_LIMITED. Default 256. */
  readonly maxPendingDeposits?: number;
  /** Pushed envelopes a connection may leave unacknowledged; pushing pauses beyond. Default 128 (half the transport's maxPendingDeliveries). */
  readonly pushWindow?: number;
  /** Pushing to a connection pauses while its send buffer holds more than this. Default 1 MiB. */
  readonly pauseBufferedBytes?: number;
  /** A connection whose send buffer passes this is a slow consumer and is closed with 4008 SLOW_CONSUMER. Default 16 MiB. */
  readonly maxBufferedBytes?: number;
  /** How often expired envelopes are purged. Default 60 000 ms. */
  readonly purgeIntervalMs?: number;
  /** Card files of identities allowed to deposit. Default: anyone who authenticates. */
  readonly allowDeposit?: readonly string[];
  /** Card files of identities whose mailboxes may be collected here. Default: any proven mailbox. */
  readonly allowCollect?: readonly string[];
  /**
   * Card files of organisation authorities: only clients showing a valid certificate chain to one of them are admitted
   * (docs/relay-protocol.md 4.1). Cannot be combined with smtp or mqtt, whose clients carry no identity. Default: none.
   */
  readonly admitAuthorities?: readonly string[];
  /** A revocation list file of those authorities, watched: a newer list closes revoked clients at once. Default: none. */
  readonly admitRevocations?: string;
  /** pino level: fatal, error, warn, info, debug, trace or silent. Default info. */
  readonly logLevel?: string;
  /** Initial LMDB map size in bytes. Default 2 GiB. */
  readonly mapSize?: number;
  /**
   * Deposits are refused with STORAGE_FULL while the file system of dataDir has less than this free: the room left
   * is for acknowledgements (removals need new pages too) and the relay never meets a full disk. 0: no check.
   * Default 64 MiB.
   */
  readonly minFreeBytes?: number;
  /**
   * After a deposit was refused for want of disk space or its commit failed, deposits are refused with STORAGE_FULL
   * (or UNAVAILABLE) for this long, then tried again: the first one committed ends the refusals. Default 5 000 ms.
   */
  readonly storageRetryMs?: number;
  /** Longest a graceful shutdown waits for deposits under way. Default 10 000 ms. */
  readonly shutdownTimeoutMs?: number;
}

export type ResolvedRelayInit = Required<Omit<RelayInit, 'publicUrls' | 'metricsListen' | 'allowDeposit' | 'allowCollect' | 'mqtt' | 'smtp' | 'admitAuthorities' | 'admitRevocations' | 'store'>> & {
  /** The NATS cluster's options (validated), or undefined for LMDB in dataDir. */
  readonly store: NatsStoreOptions | undefined;
  readonly host: string;
  readonly port: number;
  readonly publicUrls: readonly string[] | undefined;
  readonly metrics: { readonly host: string; readonly port: number } | undefined;
  readonly smtp: { readonly host: string; readonly port: number } | undefined;
  readonly mqtt: { readonly host: string; readonly port: number } | undefined;
  readonly allowDeposit: readonly string[] | undefined;
  readonly allowCollect: readonly string[] | undefined;
  readonly admitAuthorities: readonly string[] | undefined;
  readonly admitRevocations: string | undefined;
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const MiB = 1024 * 1024;

/** [default, min, max, unit] of every numeric option. */
const NUMBERS = {
  maxEnvelopeBytes: [MiB, 1024, 64 * MiB, 'bytes'],
  mailboxMaxEnvelopes: [10_000, 1, 10_000_000, 'envelopes'],
  mailboxMaxBytes: [64 * MiB, 1024, 2 ** 40, 'bytes'],
  maxStoredBytes: [1024 * MiB, 1024, 2 ** 46, 'bytes'],
  maxStoredEnvelopes: [1_000_000, 1, 100_000_000, 'envelopes'],
  maxRetentionSeconds: [30 * 86_400, 1, 400 * 86_400, 'seconds'],
  maxConnections: [10_000, 1, 1_000_000, 'connections'],
  maxConnectionsPerAddress: [256, 1, 1_000_000, 'connections'],
  maxAuthenticating: [4096, 1, 1_000_000, 'connections'],
  maxAuthenticatingPerAddress: [64, 1, 1_000_000, 'connections'],
  depositorMaxEnvelopes: [10_000, 1, 100_000_000, 'envelopes'],
  depositorMaxBytes: [64 * MiB, 1024, 2 ** 46, 'bytes'],
  depositorDepositsPerSecond: [500, 1, 1_000_000, 'deposits per second'],
  addressMaxEnvelopes: [50_000, 1, 100_000_000, 'envelopes'],
  addressMaxBytes: [256 * MiB, 1024, 2 ** 46, 'bytes'],
  addressDepositsPerSecond: [1000, 1, 1_000_000, 'deposits per second'],
  highWaterPercent: [80, 1, 99, 'percent'],
  uncollectedMailboxMaxEnvelopes: [100, 1, 10_000_000, 'envelopes'],
  uncollectedMailboxMaxBytes: [4 * MiB, 1024, 2 ** 40, 'bytes'],
  uncollectedRetentionSeconds: [7 * 86_400, 1, 400 * 86_400, 'seconds'],
  mqttMaxSessions: [100_000, 1, 10_000_000, 'sessions'],
  mqttSessionExpirySeconds: [30 * 86_400, 1, 400 * 86_400, 'seconds'],
  mqttSessionMaxEnvelopes: [10_000, 1, 10_000_000, 'envelopes'],
  mqttSessionMaxBytes: [64 * MiB, 1024, 2 ** 40, 'bytes'],
  mqttClientMaxEnvelopes: [10_000, 1, 10_000_000, 'envelopes'],
  mqttClientMaxBytes: [64 * MiB, 1024, 2 ** 40, 'bytes'],
  authTimeoutMs: [10_000, 100, 300_000, 'milliseconds'],
  heartbeatIntervalMs: [15_000, 100, 600_000, 'milliseconds'],
  depositsPerSecond: [500, 1, 1_000_000, 'deposits per second'],
  depositBurst: [1_000, 1, 10_000_000, 'deposits'],
  maxPendingDeposits: [256, 1, 65_536, 'deposits'],
  pushWindow: [128, 1, 4096, 'envelopes'],
  pauseBufferedBytes: [MiB, 1024, 1024 * MiB, 'bytes'],
  maxBufferedBytes: [16 * MiB, 1024, 4096 * MiB, 'bytes'],
  purgeIntervalMs: [60_000, 100, 86_400_000, 'milliseconds'],
  writeBehindMs: [20, 0, 1000, 'milliseconds'],
  mapSize: [2048 * MiB, MiB, 2 ** 46, 'bytes'],
  minFreeBytes: [64 * MiB, 0, 2 ** 40, 'bytes'],
  storageRetryMs: [5_000, 10, 3_600_000, 'milliseconds'],
  shutdownTimeoutMs: [10_000, 0, 600_000, 'milliseconds'],
} as const;

export const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['listen', 'dataDir', 'store', 'publicUrls', 'metricsListen', 'smtp', 'mqtt', 'mqttAnonymous', 'allowDeposit', 'allowCollect', 'admitAuthorities', 'admitRevocations', 'logLevel', ...Object.keys(NUMBERS)]);

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

function strings(value: unknown, where: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.trim() === '')) throw new OptionsError(`${where}: expected a list of non-empty strings`);
  return value as string[];
}

/** Validates every field (the message names it, under `where`) and fills in the defaults. */
export function resolveRelayInit(init: RelayInit, where = 'startRelay'): ResolvedRelayInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError(`${where}: expected an object with at least dataDir`);
  for (const key of Object.keys(init)) if (!KNOWN_OPTIONS.has(key)) throw new OptionsError(`${where}: unknown option "${key}" (known: ${[...KNOWN_OPTIONS].join(', ')})`);
  const numbers = {} as Record<keyof typeof NUMBERS, number>;
  for (const [field, [fallback, min, max, unit]] of Object.entries(NUMBERS) as [keyof typeof NUMBERS, readonly [number, number, number, string]][]) {
    const value = (init as unknown as Record<string, unknown>)[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw new OptionsError(`${where}: ${field}: expected whole ${unit} from ${min} to ${max}, got ${describe(value)}`);
    numbers[field] = value;
  }
  // Unset, a never-collected mailbox takes at least one largest envelope (a first message always fits, when any
  // mailbox can hold it); and it never gets more than any mailbox gets: its defaults shrink to fit.
  if (init.uncollectedMailboxMaxBytes === undefined) numbers.uncollectedMailboxMaxBytes = Math.max(numbers.uncollectedMailboxMaxBytes, numbers.maxEnvelopeBytes);
  for (const [field, cap] of [['uncollectedMailboxMaxEnvelopes', 'mailboxMaxEnvelopes'], ['uncollectedMailboxMaxBytes', 'mailboxMaxBytes'], ['uncollectedRetentionSeconds', 'maxRetentionSeconds']] as const) {
    if (init[field] === undefined) numbers[field] = Math.min(numbers[field], numbers[cap]);
    else if (numbers[field] > numbers[cap]) throw new OptionsError(`${where}: ${field} (${numbers[field]}) must be at most ${cap} (${numbers[cap]})`);
  }
  if (numbers.maxAuthenticatingPerAddress > numbers.maxConnectionsPerAddress) throw new OptionsError(`${where}: maxAuthenticatingPerAddress (${numbers.maxAuthenticatingPerAddress}) must be at most maxConnectionsPerAddress (${numbers.maxConnectionsPerAddress})`);
  if (numbers.maxBufferedBytes < numbers.pauseBufferedBytes) throw new OptionsError(`${where}: maxBufferedBytes (${numbers.maxBufferedBytes}) must be at least pauseBufferedBytes (${numbers.pauseBufferedBytes})`);
  if (typeof init.dataDir !== 'string' || init.dataDir.trim() === '') throw new OptionsError(`${where}: dataDir: expected a directory path, got ${describe(init.dataDir)}`);
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
  if (typeof mqttAnonymous !== 'boolean') throw new OptionsError(`${where}: mqttAnonymous: expected true or false, got ${describe(mqttAnonymous)}`);
  const admitAuthorities = strings(init.admitAuthorities, `${where}: admitAuthorities`);
  if (admitAuthorities && (smtp || mqtt)) throw new OptionsError(`${where}: admitAuthorities cannot be combined with ${smtp ? 'smtp' : 'mqtt'}: its clients carry no identity to check a certificate against`);
  const admitRevocations = init.admitRevocations;
  if (admitRevocations !== undefined && (typeof admitRevocations !== 'string' || admitRevocations.trim() === '' || !admitAuthorities)) throw new OptionsError(`${where}: admitRevocations: expected a file path, with admitAuthorities`);
  const publicUrls = strings(init.publicUrls, `${where}: publicUrls`);
  for (const url of publicUrls ?? []) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')) throw new OptionsError(`${where}: publicUrls: ${describe(url)} is not a ws:// or wss:// URL`);
  }
  const logLevel = init.logLevel ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new OptionsError(`${where}: logLevel: expected one of ${LOG_LEVELS.join(', ')}, got ${describe(logLevel)}`);
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
    allowDeposit: strings(init.allowDeposit, `${where}: allowDeposit`),
    allowCollect: strings(init.allowCollect, `${where}: allowCollect`),
    admitAuthorities,
    admitRevocations,
    logLevel,
  };
}
