import { readFileSync, statSync } from 'node:fs';
import { OptionsError, type ResolvedProxy } from '@herald/core';
import { parseServerUrl, type MailSecurity, type MailServerAddress } from './url.js';

/** One server account: where (host, port, security), who (user), and the password from exactly one source. */
export interface MailAccountInit {
  /** `smtps://host:465`, `smtp://host:587` (STARTTLS required), `imaps://host:993`, … Give url or host. */
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  /** Default for host/port: 'tls'. */
  readonly security?: MailSecurity;
  /** Login name; without it the client does not authenticate (e.g. a relay's open SMTP endpoint). */
  readonly user?: string;
  /** The password itself (from a secret store); never logged. Give at most one of password, passwordFile, passwordEnv. */
  readonly password?: string;
  /** A file holding the password (first line); read at construction. */
  readonly passwordFile?: string;
  /** The name of an environment variable holding the password. */
  readonly passwordEnv?: string;
  /** Trusted CA certificates (PEM) instead of the system's, e.g. a private mail server's own CA. */
  readonly ca?: string;
  /** TLS server name when host is an IP address. */
  readonly servername?: string;
}

export interface ResolvedAccount extends MailServerAddress {
  readonly user?: string;
  readonly password?: string;
  readonly ca?: string;
  readonly servername?: string;
  /** The proxy this server is reached through (the channel's `proxy`, or the environment's). */
  readonly proxy?: ResolvedProxy;
}

const KNOWN = new Set(['url', 'host', 'port', 'security', 'user', 'password', 'passwordFile', 'passwordEnv', 'ca', 'servername']);
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

function password(init: MailAccountInit, field: string): string | undefined {
  const sources = (['password', 'passwordFile', 'passwordEnv'] as const).filter((key) => init[key] !== undefined);
  if (sources.length > 1) throw new OptionsError(`${field}: give one of password, passwordFile or passwordEnv, not ${sources.join(' and ')}`);
  if (init.password !== undefined) {
    if (typeof init.password !== 'string' || init.password.length === 0) throw new OptionsError(`${field}: password: expected a non-empty string`);
    return init.password;
  }
  if (init.passwordFile !== undefined) {
    let text: string;
    try {
      // Like ssh with a private key: a password others may read is refused, not used.
      const mode = statSync(init.passwordFile).mode & 0o777;
      if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
        throw new OptionsError(`${field}: passwordFile: ${init.passwordFile} may be read by others (mode ${mode.toString(8).padStart(4, '0')}); make it 0600 (chmod 600)`);
      }
      text = readFileSync(init.passwordFile, 'utf8');
    } catch (error) {
      if (error instanceof OptionsError) throw error;
      throw new OptionsError(`${field}: passwordFile: cannot read ${init.passwordFile} (${(error as { code?: string }).code ?? 'error'})`, { cause: error });
    }
    const first = text.split(/\r?\n/)[0] ?? '';
    if (first.length === 0) throw new OptionsError(`${field}: passwordFile: ${init.passwordFile} is empty`);
    return first;
  }
  if (init.passwordEnv !== undefined) {
    const value = process.env[init.passwordEnv];
    if (value === undefined || value.length === 0) throw new OptionsError(`${field}: passwordEnv: the environment variable ${init.passwordEnv} is not set`);
    return value;
  }
  return undefined;
}

export function resolveAccount(init: MailAccountInit, kind: 'smtp' | 'imap', field: string): ResolvedAccount {
  if (typeof init !== 'object' || init === null) throw new OptionsError(`${field}: expected an object ({ url, user, passwordFile } or { host, port, … })`);
  for (const key of Object.keys(init)) if (!KNOWN.has(key)) throw new OptionsError(`${field}: unknown option "${key}"`);
  let server: MailServerAddress;
  if (init.url !== undefined) {
    if (init.host !== undefined || init.port !== undefined || init.security !== undefined) throw new OptionsError(`${field}: give url, or host/port/security, not both`);
    server = parseServerUrl(init.url, kind, `${field}: url`);
  } else {
    if (typeof init.host !== 'string' || init.host.length === 0) throw new OptionsError(`${field}: host (or url) is required`);
    const security = init.security ?? 'tls';
    if (!['tls', 'starttls', 'none'].includes(security)) throw new OptionsError(`${field}: security: expected "tls", "starttls" or "none", got ${JSON.stringify(security)}`);
    const fallback = kind === 'smtp' ? (security === 'tls' ? 465 : 587) : security === 'tls' ? 993 : 143;
    server = { host: init.host, port: init.port ?? fallback, security };
  }
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) throw new OptionsError(`${field}: port: expected 1 to 65535, got ${String(server.port)}`);
  if (init.user !== undefined && (typeof init.user !== 'string' || init.user.length === 0)) throw new OptionsError(`${field}: user: expected a non-empty string`);
  const secret = password(init, field);
  if (secret !== undefined && init.user === undefined) throw new OptionsError(`${field}: a password needs a user`);
  if (init.user !== undefined && secret === undefined) throw new OptionsError(`${field}: user ${init.user} needs a password (password, passwordFile or passwordEnv)`);
  // Credentials in cleartext are only tolerated on this machine's own loopback.
  if (server.security === 'none' && init.user !== undefined && !LOOPBACK.test(server.host)) {
    throw new OptionsError(`${field}: refusing to send a password without TLS to ${server.host}; use ${kind}s:// or ${kind}:// (STARTTLS)`);
  }
  if (init.ca !== undefined && typeof init.ca !== 'string') throw new OptionsError(`${field}: ca: expected PEM text`);
  return {
    ...server,
    ...(init.user === undefined ? {} : { user: init.user }),
    ...(secret === undefined ? {} : { password: secret }),
    ...(init.ca === undefined ? {} : { ca: init.ca }),
    ...(init.servername === undefined ? {} : { servername: init.servername }),
  };
}
