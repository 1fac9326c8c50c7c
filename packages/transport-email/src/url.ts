import { OptionsError } from '@herald/core';

export const EMAIL_SCHEME = 'email:';

/** How a client protects its connection: implicit TLS, STARTTLS (required, never optional), or none (loopback only). */
export type MailSecurity = 'tls' | 'starttls' | 'none';

export interface MailServerAddress {
  readonly host: string;
  readonly port: number;
  readonly security: MailSecurity;
}

export interface EmailUrl {
  /** The channel's own mailbox address (`bob@mission.example`). */
  readonly address: string;
  readonly smtp?: MailServerAddress;
  readonly imap?: MailServerAddress;
  /** `?config=PATH`: where the CLI reads accounts and the address book from. */
  readonly config?: string;
}

/** Deliberately plain: one @, no spaces, no brackets or quotes. Exotic addresses are valid e-mail but easy to get wrong in headers. */
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export function isMailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && ADDRESS.test(value);
}

const SCHEMES: Readonly<Record<string, { kind: 'smtp' | 'imap'; security: MailSecurity; port: number }>> = {
  'smtp:': { kind: 'smtp', security: 'starttls', port: 587 },
  'smtps:': { kind: 'smtp', security: 'tls', port: 465 },
  'smtp+plain:': { kind: 'smtp', security: 'none', port: 25 },
  'imap:': { kind: 'imap', security: 'starttls', port: 143 },
  'imaps:': { kind: 'imap', security: 'tls', port: 993 },
  'imap+plain:': { kind: 'imap', security: 'none', port: 143 },
};

/**
 * A server URL: `smtp://host:587` (STARTTLS required), `smtps://host:465`,
 * `imap://host:143` (STARTTLS required), `imaps://host:993`, and the
 * `smtp+plain:`/`imap+plain:` forms without TLS. Credentials are refused:
 * URLs end up in channel names, logs and process listings.
 */
export function parseServerUrl(value: string, kind: 'smtp' | 'imap', field: string): MailServerAddress {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OptionsError(`${field}: expected a URL such as ${kind}s://mail.example.org, got ${JSON.stringify(value)}`);
  }
  const scheme = SCHEMES[url.protocol];
  if (!scheme || scheme.kind !== kind) throw new OptionsError(`${field}: expected a ${kind}://, ${kind}s:// or ${kind}+plain:// URL, got "${url.protocol}"`);
  if (url.username || url.password) throw new OptionsError(`${field}: credentials never go in a URL (it ends up in logs and process listings); give user and password, passwordFile or passwordEnv instead`);
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) throw new OptionsError(`${field}: expected only a host and port, got ${JSON.stringify(value)}`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new OptionsError(`${field}: the URL names no host`);
  return { host, port: url.port ? Number(url.port) : scheme.port, security: scheme.security };
}

/**
 * Parses `email:ADDRESS[?smtp=URL&imap=URL&config=PATH]`. The address is the
 * channel's own mailbox; it is not a secret and names the channel.
 */
export function parseEmailUrl(url: string): EmailUrl {
  if (typeof url !== 'string') throw new OptionsError(`url: expected a string such as "email:bob@mission.example", got ${typeof url}`);
  if (!url.startsWith(EMAIL_SCHEME)) throw new OptionsError(`url: expected an "email:" URL such as "email:bob@mission.example", got "${url}"`);
  const rest = url.slice(EMAIL_SCHEME.length);
  const question = rest.indexOf('?');
  const address = decodeURIComponent(question === -1 ? rest : rest.slice(0, question));
  if (!isMailAddress(address)) throw new OptionsError(`url: expected a mailbox address after "email:", such as email:bob@mission.example, got "${address}"`);
  const query = new URLSearchParams(question === -1 ? '' : rest.slice(question + 1));
  for (const key of query.keys()) if (!['smtp', 'imap', 'config'].includes(key)) throw new OptionsError(`url: unknown parameter "${key}" (known: smtp, imap, config)`);
  const smtp = query.get('smtp');
  const imap = query.get('imap');
  const config = query.get('config');
  return {
    address,
    ...(smtp === null ? {} : { smtp: parseServerUrl(smtp, 'smtp', 'url: smtp') }),
    ...(imap === null ? {} : { imap: parseServerUrl(imap, 'imap', 'url: imap') }),
    ...(config === null ? {} : { config }),
  };
}
