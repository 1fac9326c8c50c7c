import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { OptionsError } from '@herald/core';
import type { MailAccountInit } from './account.js';
import type { EmailTransportInit } from './init.js';
import { parseEmailUrl } from './url.js';

/** One account in the config file: the transport's init without url/address/addressBook, and `caFile` for a CA in a file. */
export type EmailAccountConfig = Omit<EmailTransportInit, 'url' | 'address' | 'addressBook' | 'smtp' | 'imap'> & {
  readonly smtp?: MailAccountInit & { readonly caFile?: string };
  readonly imap?: MailAccountInit & { readonly caFile?: string };
};

/**
 * The e-mail config file (JSON), as the CLI reads it: accounts by address,
 * and one address book shared by them.
 *
 *   { "accounts": { "bob@mission.example": { "smtp": { "url": "smtp://mail.mission.example:587", "user": "bob", "passwordFile": "bob.pass" },
 *                                            "imap": { "url": "imaps://mail.mission.example", "user": "bob", "passwordEnv": "BOB_IMAP_PASSWORD" } } },
 *     "addressBook": { "<routing tag hex>": "alice@ops.example" } }
 *
 * Relative file paths are taken from the config file's folder. Passwords come
 * from files or environment variables; a literal "password" is accepted but
 * then the file itself is a secret.
 */
export interface EmailConfig {
  readonly accounts: Readonly<Record<string, EmailAccountConfig>>;
  readonly addressBook?: Readonly<Record<string, string>>;
  /** The folder relative paths are resolved against. */
  readonly baseDir?: string;
}

export function loadEmailConfig(path: string): EmailConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new OptionsError(`e-mail config: cannot read ${path} (${(error as { code?: string }).code ?? 'error'})`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new OptionsError(`e-mail config: ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OptionsError(`e-mail config: ${path}: expected an object with "accounts"`);
  const config = parsed as { accounts?: unknown; addressBook?: unknown };
  for (const key of Object.keys(config)) if (key !== 'accounts' && key !== 'addressBook') throw new OptionsError(`e-mail config: ${path}: unknown key "${key}" (known: accounts, addressBook)`);
  if (typeof config.accounts !== 'object' || config.accounts === null || Array.isArray(config.accounts)) throw new OptionsError(`e-mail config: ${path}: "accounts" must be an object keyed by e-mail address`);
  return { ...(config as EmailConfig), baseDir: dirname(resolve(path)) };
}

function account(server: (MailAccountInit & { readonly caFile?: string }) | undefined, baseDir: string, field: string): MailAccountInit | undefined {
  if (server === undefined) return undefined;
  if (typeof server !== 'object' || server === null) throw new OptionsError(`e-mail config: ${field}: expected an object`);
  const { caFile, ...rest } = server;
  const local = (path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(local(caFile), 'utf8');
    } catch (error) {
      throw new OptionsError(`e-mail config: ${field}: caFile: cannot read ${caFile}`, { cause: error });
    }
  }
  return { ...rest, ...(rest.passwordFile === undefined ? {} : { passwordFile: local(rest.passwordFile) }), ...(ca === undefined ? {} : { ca }) };
}

/** The transport init for `email:ADDRESS` from the config file's account of that address and its address book. */
export function emailInitFromConfig(url: string, config: EmailConfig): EmailTransportInit {
  const parsed = parseEmailUrl(url);
  const entry = config.accounts[parsed.address];
  if (entry === undefined && !parsed.smtp && !parsed.imap) throw new OptionsError(`e-mail config: no account for ${parsed.address} (accounts: ${Object.keys(config.accounts).join(', ') || 'none'})`);
  const baseDir = config.baseDir ?? process.cwd();
  const smtp = account(entry?.smtp, baseDir, `accounts["${parsed.address}"].smtp`);
  const imap = account(entry?.imap, baseDir, `accounts["${parsed.address}"].imap`);
  const { smtp: _smtp, imap: _imap, ...rest } = entry ?? {};
  return { ...rest, url, ...(smtp ? { smtp } : {}), ...(imap ? { imap } : {}), ...(config.addressBook ? { addressBook: config.addressBook } : {}) };
}
