import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { ResolvedAccount } from './account.js';

/** How long IMAP stays quiet after a command before IDLE starts: short, so pushes arrive between scans too. */
const AUTO_IDLE_DELAY_MS = 200;

/** Describes an IMAP failure for health and errors: the code and the server's text, never credentials. */
export function describeImapError(error: unknown): string {
  const shaped = error as { code?: unknown; responseText?: unknown; message?: unknown; authenticationFailed?: unknown } | null;
  if (shaped?.authenticationFailed === true || (error instanceof Error && error.name === 'AuthenticationFailure')) return 'authentication failed';
  const code = typeof shaped?.code === 'string' ? ` (${shaped.code})` : '';
  const text = typeof shaped?.responseText === 'string' && shaped.responseText ? shaped.responseText : typeof shaped?.message === 'string' ? shaped.message : String(error);
  return `${text.split(/\r?\n/)[0]!.slice(0, 300)}${code}`;
}

export function imapClient(account: ResolvedAccount, options: { idle: boolean; pollIntervalMs: number; timeoutMs: number }): ImapFlow {
  const init: ImapFlowOptions = {
    host: account.host,
    port: account.port,
    secure: account.security === 'tls',
    // imapflow upgrades with STARTTLS whenever offered; 'starttls' additionally insists on it (below).
    ...(account.security === 'none' ? { doSTARTTLS: false } : account.security === 'starttls' ? { doSTARTTLS: true } : {}),
    ...(account.user !== undefined && account.password !== undefined ? { auth: { user: account.user, pass: account.password } } : {}),
    tls: { minVersion: 'TLSv1.2', ...(account.ca === undefined ? {} : { ca: account.ca }), ...(account.servername === undefined ? {} : { servername: account.servername }) },
    // The IMAP ID command would tell the server which client library this is: empty values send ID NIL.
    // imapflow's socks5:// hands the destination's name to the proxy unresolved (what socks5h:// means elsewhere).
    ...(account.proxy === undefined ? {} : { proxy: account.proxy.url.replace(/^socks5h:/, 'socks5:') }),
    clientInfo: { name: '', version: '', vendor: '', 'support-url': '' },
    logger: false,
    disableAutoIdle: !options.idle,
    autoIdleDelay: AUTO_IDLE_DELAY_MS,
    // Re-issuing IDLE now and then proves the connection alive, so a silently dead server is noticed.
    maxIdleTime: Math.max(1000, Math.min(options.pollIntervalMs, 5 * 60_000)),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: Math.max(3 * options.timeoutMs, 2 * Math.min(options.pollIntervalMs, 5 * 60_000) + 30_000),
  };
  return new ImapFlow(init);
}
