import { platform } from '#platform';
import { OptionsError } from './errors.js';

/**
 * The proxy a network channel goes through: an HTTP proxy (CONNECT) or a
 * SOCKS5 proxy such as Tor's. Destination host names are always resolved by
 * the proxy, never by this machine, so that no DNS query tells the local
 * network where the channel goes: `socks5://` is taken as `socks5h://`.
 */
export interface ResolvedProxy {
  readonly protocol: 'http' | 'socks5h';
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** `http://…` or `socks5h://…` with the credentials, for the proxy libraries only: never log it. */
  readonly url: string;
  /** `socks5h://host:port` without credentials: safe in logs, health and errors. */
  readonly name: string;
}

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/i;

/** A channel's proxy option: a proxy URL, or false to connect directly whatever the environment says. Absent: the environment. */
export type ProxyOption = string | false;

const SCHEMES: Readonly<Record<string, { protocol: ResolvedProxy['protocol']; port: number }>> = {
  'http:': { protocol: 'http', port: 80 },
  'socks5h:': { protocol: 'socks5h', port: 1080 },
  'socks5:': { protocol: 'socks5h', port: 1080 },
  'socks:': { protocol: 'socks5h', port: 1080 },
};

function decoded(part: string, what: string, where: string): string | undefined {
  if (part === '') return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new OptionsError(`${where}: the proxy ${what} is not valid percent-encoding`);
  }
}

/** Parses `http://[user:pass@]host:port`, `socks5h://…` (or `socks5://`, `socks://`, both resolved by the proxy too). */
export function parseProxyUrl(value: unknown, where: string): ResolvedProxy {
  if (typeof value !== 'string' || value === '') throw new OptionsError(`${where}: expected a proxy URL such as socks5h://127.0.0.1:9050 or http://proxy:3128`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    // The value may hold a password: say what is wrong without echoing it.
    throw new OptionsError(`${where}: not a URL (expected socks5h://host:port or http://host:port)`);
  }
  const scheme = SCHEMES[parsed.protocol];
  if (!scheme) throw new OptionsError(`${where}: proxy scheme ${parsed.protocol} is not supported (use socks5h:// or http://)`);
  if (parsed.hostname === '') throw new OptionsError(`${where}: the proxy URL names no host`);
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '' || parsed.hash !== '') throw new OptionsError(`${where}: a proxy URL is only scheme://[user:password@]host:port`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? scheme.port : Number(parsed.port);
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const username = decoded(parsed.username, 'user name', where);
  const password = decoded(parsed.password, 'password', where);
  const login = username === undefined && password === undefined ? '' : `${parsed.username}${password === undefined ? '' : `:${parsed.password}`}@`;
  return { protocol: scheme.protocol, host, port, username, password, url: `${scheme.protocol}://${login}${hostPort}`, name: `${scheme.protocol}://${hostPort}` };
}

/**
 * The proxy for a connection to `host`:`port`: the channel's own option when given (false: none), else the
 * environment's `HTTPS_PROXY` (every Herald channel is a tunnelled, mostly TLS, connection), then `ALL_PROXY`,
 * unless `NO_PROXY` names the host or the host is loopback. Read once, when the channel is made.
 */
export function proxyFor(option: ProxyOption | undefined, host: string, port: number, where: string): ResolvedProxy | undefined {
  if (option === false) return undefined;
  if (option !== undefined) return parseProxyUrl(option, where);
  // A proxy elsewhere cannot reach this machine's loopback: the environment's proxy is for other hosts.
  if (LOOPBACK.test(host)) return undefined;
  const fromEnvironment = platform.proxyFromEnvironment(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
  return fromEnvironment === '' ? undefined : parseProxyUrl(fromEnvironment, `${where} (from HTTPS_PROXY or ALL_PROXY)`);
}
