import { OptionsError } from '@herald/core';

/**
 * How a relay reaches its NATS JetStream cluster (`herald relay --store nats://…`, or `store:` in the YAML config).
 * Several relay processes given the same cluster and `name` serve the same mailboxes.
 */
export interface NatsStoreOptions {
  /** The cluster's nodes: `nats://h1:4222,h2:4222,h3:4222` (a `tls://` URL, or `tls`, asks for TLS). Required. */
  readonly servers: string | readonly string[];
  /** Copies JetStream keeps of every envelope and record, on as many nodes: 1, 3 or 5. Default 3. */
  readonly replicas?: number;
  /** Prefix of the streams' and buckets' names, so several relay services can share one cluster. Default `HERALD`. */
  readonly name?: string;
  /** User and password the cluster requires (its `authorization` block). Default: none. */
  readonly user?: string;
  readonly password?: string;
  /** A token the cluster requires. Default: none. */
  readonly token?: string;
  /** A NATS credentials file (a user JWT and its NKey seed, `nsc` makes them). Default: none. */
  readonly credentialsFile?: string;
  /**
   * TLS to the cluster: `caFile` (PEM) to trust instead of the system's CAs, `certFile` and `keyFile` for a client
   * certificate. Default: plain TCP, unless a server URL starts with `tls://`.
   */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  /**
   * JetStream domains of posts' leaf nodes whose relays' mail this relay's mail stream takes in (a JetStream
   * source of the stream of the same `name` in each domain, resumed where it stopped after a cut link): mail
   * deposited at a post reaches recipients served here. See docs/operations.md, "A post's relay as a leaf node".
   * Default: none.
   */
  readonly sourceDomains?: readonly string[];
  /**
   * Relay services in other JetStream domains (over a leaf link) whose relays run under another `name`: this
   * relay's mail stream takes in the mail deposited through theirs (a JetStream source of `<name>_MAIL` in
   * `domain`, filtered to their own subjects `<name>.mail.*`, resumed where it stopped after a cut link). Unlike
   * `sourceDomains`, both sides may name each other: what one side took in is never passed back (the filter), so
   * a post and the ministry exchange both ways. See docs/operations.md, "A post's relay as a leaf node". Default: none.
   */
  readonly sources?: readonly NatsMailSource[];
  /** Longest wait for the cluster at start (retried with backoff meanwhile). Default 30 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Longest a deposit waits for JetStream's acknowledgement (retried meanwhile, through a leader election after the
   * crash of a node); then it is refused with UNAVAILABLE. Default 10 000 ms.
   */
  readonly requestTimeoutMs?: number;
  /**
   * How long JetStream remembers a deposit's message id: a deposit retried within it is stored once. Also what
   * lets mail taken in from `sourceDomains` be passed back unseen (see docs/operations.md). At least
   * requestTimeoutMs. Default 120 000 ms or requestTimeoutMs, whichever is longer (and at most maxRetentionSeconds).
   */
  readonly duplicateWindowMs?: number;
  /** Reconnection after a lost connection: exponential backoff with jitter from this… Default 250 ms. */
  readonly reconnectMinMs?: number;
  /** …to this. Default 10 000 ms. */
  readonly reconnectMaxMs?: number;
}

/** A relay service in another JetStream domain whose deposits this relay takes in (`sources`). */
export interface NatsMailSource {
  readonly domain: string;
  readonly name: string;
}

export interface ResolvedNatsStoreOptions {
  readonly servers: readonly string[];
  readonly replicas: number;
  readonly name: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly token: string | undefined;
  readonly credentialsFile: string | undefined;
  readonly tls: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string } | undefined;
  readonly sourceDomains: readonly string[];
  readonly sources: readonly NatsMailSource[];
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly duplicateWindowMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
}

export const NATS_STORE_OPTIONS: ReadonlySet<string> = new Set(['servers', 'replicas', 'name', 'user', 'password', 'token', 'credentialsFile', 'tls', 'sourceDomains', 'sources', 'connectTimeoutMs', 'requestTimeoutMs', 'duplicateWindowMs', 'reconnectMinMs', 'reconnectMaxMs']);

/** [default, min, max] of the numeric options, in milliseconds. */
const TIMES = {
  connectTimeoutMs: [30_000, 100, 600_000],
  requestTimeoutMs: [10_000, 100, 600_000],
  duplicateWindowMs: [120_000, 1_000, 600_000],
  reconnectMinMs: [250, 10, 60_000],
  reconnectMaxMs: [10_000, 10, 600_000],
} as const;

function text(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new OptionsError(`${where}: expected a non-empty string`);
  return value;
}

/** `nats://h1:4222,h2:4222` or a list: each a nats:// or tls:// URL (the scheme may be left out: nats://). */
export function parseServers(value: unknown, where: string): readonly string[] {
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (!items || items.length === 0 || items.some((item) => typeof item !== 'string')) throw new OptionsError(`${where}: expected nats://host:port[,host:port…], got ${JSON.stringify(value)}`);
  return (items as string[]).map((item) => {
    const trimmed = item.trim();
    if (trimmed === '') throw new OptionsError(`${where}: an empty server in ${JSON.stringify(value)}: expected nats://host:port[,host:port…]`);
    const withScheme = /^[a-z]+:\/\//i.test(trimmed) ? trimmed : `nats://${trimmed}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new OptionsError(`${where}: ${JSON.stringify(item)} is not a host:port or nats:// URL`);
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new OptionsError(`${where}: ${JSON.stringify(item)}: expected a nats:// or tls:// URL`);
    if (url.hostname === '' || (url.pathname !== '' && url.pathname !== '/') || url.username !== '' || url.password !== '') throw new OptionsError(`${where}: ${JSON.stringify(item)}: expected scheme://host:port only (credentials go in user/password, token or credentialsFile)`);
    return `${url.protocol}//${url.host}`;
  });
}

/** Validates every field (the message names it, under `where`) and fills in the defaults. */
export function resolveNatsStoreOptions(options: NatsStoreOptions, where = 'natsRelayStore'): ResolvedNatsStoreOptions {
  if (typeof options !== 'object' || options === null) throw new OptionsError(`${where}: expected an object with at least servers`);
  for (const key of Object.keys(options)) if (!NATS_STORE_OPTIONS.has(key)) throw new OptionsError(`${where}: unknown option "${key}" (known: ${[...NATS_STORE_OPTIONS].join(', ')})`);
  const servers = parseServers(options.servers, `${where}: servers`);
  const replicas = options.replicas ?? 3;
  if (replicas !== 1 && replicas !== 3 && replicas !== 5) throw new OptionsError(`${where}: replicas: expected 1, 3 or 5 (JetStream keeps an odd number of copies for its quorum), got ${JSON.stringify(replicas)}`);
  const name = options.name ?? 'HERALD';
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(name)) throw new OptionsError(`${where}: name: expected 1 to 32 letters, digits, _ or -, got ${JSON.stringify(name)}`);
  const times = {} as Record<keyof typeof TIMES, number>;
  for (const [field, [fallback, min, max]] of Object.entries(TIMES) as [keyof typeof TIMES, readonly [number, number, number]][]) {
    const value = options[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw new OptionsError(`${where}: ${field}: expected whole milliseconds from ${min} to ${max}, got ${JSON.stringify(value)}`);
    times[field] = value;
  }
  if (options.duplicateWindowMs === undefined) times.duplicateWindowMs = Math.max(times.duplicateWindowMs, times.requestTimeoutMs);
  if (times.duplicateWindowMs < times.requestTimeoutMs) throw new OptionsError(`${where}: duplicateWindowMs (${times.duplicateWindowMs}) must be at least requestTimeoutMs (${times.requestTimeoutMs}): a deposit retried after it would be stored twice`);
  if (times.reconnectMaxMs < times.reconnectMinMs) throw new OptionsError(`${where}: reconnectMaxMs (${times.reconnectMaxMs}) must be at least reconnectMinMs (${times.reconnectMinMs})`);
  const user = text(options.user, `${where}: user`);
  const password = text(options.password, `${where}: password`);
  if ((user === undefined) !== (password === undefined)) throw new OptionsError(`${where}: user and password go together`);
  const token = text(options.token, `${where}: token`);
  const credentialsFile = text(options.credentialsFile, `${where}: credentialsFile`);
  if ([user, token, credentialsFile].filter((given) => given !== undefined).length > 1) throw new OptionsError(`${where}: give one of user/password, token or credentialsFile`);
  let tls: ResolvedNatsStoreOptions['tls'];
  if (options.tls !== undefined) {
    if (typeof options.tls !== 'object' || options.tls === null) throw new OptionsError(`${where}: tls: expected an object with caFile, certFile, keyFile`);
    for (const key of Object.keys(options.tls)) if (!['caFile', 'certFile', 'keyFile'].includes(key)) throw new OptionsError(`${where}: tls: unknown option "${key}" (known: caFile, certFile, keyFile)`);
    const caFile = text(options.tls.caFile, `${where}: tls.caFile`);
    const certFile = text(options.tls.certFile, `${where}: tls.certFile`);
    const keyFile = text(options.tls.keyFile, `${where}: tls.keyFile`);
    if ((certFile === undefined) !== (keyFile === undefined)) throw new OptionsError(`${where}: tls: certFile and keyFile go together`);
    tls = { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) };
  }
  const sourceDomains = options.sourceDomains ?? [];
  if (!Array.isArray(sourceDomains) || sourceDomains.some((domain) => typeof domain !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(domain))) throw new OptionsError(`${where}: sourceDomains: expected a list of JetStream domains (letters, digits, _ or -), got ${JSON.stringify(sourceDomains)}`);
  if (new Set(sourceDomains).size !== sourceDomains.length) throw new OptionsError(`${where}: sourceDomains: ${JSON.stringify(sourceDomains)} names a domain twice`);
  const sources = resolveSources(options.sources, name, sourceDomains, where);
  return { servers, replicas, name, user, password, token, credentialsFile, tls, sourceDomains: [...sourceDomains], sources, ...times };
}

const DOMAIN = /^[A-Za-z0-9_-]{1,64}$/;
const NAME = /^[A-Za-z0-9_-]{1,32}$/;

function resolveSources(value: unknown, name: string, sourceDomains: readonly string[], where: string): readonly NatsMailSource[] {
  if (value === undefined) return [];
  const expected = `${where}: sources: expected a list of { domain, name } (a JetStream domain and the relay name used there)`;
  if (!Array.isArray(value)) throw new OptionsError(`${expected}, got ${JSON.stringify(value)}`);
  const sources = value.map((item: unknown): NatsMailSource => {
    if (typeof item !== 'object' || item === null || Object.keys(item).some((key) => key !== 'domain' && key !== 'name')) throw new OptionsError(`${expected}, got ${JSON.stringify(item)}`);
    const { domain, name: theirs } = item as Record<string, unknown>;
    if (typeof domain !== 'string' || !DOMAIN.test(domain) || typeof theirs !== 'string' || !NAME.test(theirs)) throw new OptionsError(`${expected}, got ${JSON.stringify(item)}`);
    // Their subjects must differ from this relay's own, or what was taken in would be passed back (a loop).
    if (theirs.toLowerCase() === name.toLowerCase()) throw new OptionsError(`${where}: sources: ${JSON.stringify(item)} uses this relay's own name ${JSON.stringify(name)}: run the relays of each side under its own name`);
    return { domain, name: theirs };
  });
  const domains = [...sourceDomains, ...sources.map((source) => source.domain)];
  if (new Set(domains).size !== domains.length) throw new OptionsError(`${where}: sources: a domain is named twice (in sources or sourceDomains)`);
  return sources;
}
