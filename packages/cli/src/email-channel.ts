import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { OptionsError, parseCard, toHex, type ProxyOption, type Transport } from '@herald/core';
import { emailInitFromConfig, emailTransport, loadEmailConfig, parseEmailUrl, type AddressCard, type EmailConfig } from '@herald/transport-email';
import { UsageError } from './errors.js';

/** Where the e-mail accounts and address book live when the URL names no `?config=`. */
export const EMAIL_CONFIG_ENV = 'HERALD_EMAIL_CONFIG';

const TAG = /^[0-9a-f]{32}$/i;

/**
 * `--via email:bob@mission.example[?config=FILE]`: the account (SMTP and IMAP
 * servers, users, password files) and the address book come from a JSON
 * config file, never from the command line, so no password shows in shell
 * history or the process list. On the command line the address book may name
 * card files instead of routing tags ("alice.card": "alice@ops.example").
 */
export function emailChannel(url: string, proxy?: ProxyOption): Transport {
  let parsed;
  try {
    parsed = parseEmailUrl(url);
  } catch (error) {
    throw new UsageError(`--via ${url}: ${(error as Error).message.replace(/^url: /, '')}`);
  }
  const path = parsed.config ?? process.env[EMAIL_CONFIG_ENV];
  if (path === undefined || path === '') {
    throw new UsageError(`--via ${url}: an email: channel reads its accounts from a config file: add ?config=FILE or set ${EMAIL_CONFIG_ENV}=FILE (docs/operations.md)`);
  }
  const config = loadEmailConfig(resolve(path));
  const { addressBook, addressCards } = withCards(config);
  // --proxy overrides the config file's proxy for this run.
  return emailTransport({ ...emailInitFromConfig(url, { ...config, ...(addressBook ? { addressBook } : {}) }), ...(addressCards.length > 0 ? { addressCards } : {}), ...(proxy === undefined ? {} : { proxy }) });
}

/** Address-book keys that are card files become the cards' routing tags, or, for version-2 cards (epoch tags), addressCards. */
function withCards(config: EmailConfig): { addressBook: EmailConfig['addressBook']; addressCards: AddressCard[] } {
  const addressCards: AddressCard[] = [];
  if (config.addressBook === undefined) return { addressBook: undefined, addressCards };
  const book: Record<string, string> = {};
  for (const [key, address] of Object.entries(config.addressBook)) {
    if (TAG.test(key)) {
      book[key.toLowerCase()] = address;
      continue;
    }
    const file = isAbsolute(key) ? key : resolve(config.baseDir ?? process.cwd(), key);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new OptionsError(`e-mail config: addressBook: "${key}" is neither a routing tag (32 hex) nor a readable card file`, { cause: error });
    }
    const card = parseCard(text.trim());
    if (card.epochSeconds === undefined) book[toHex(card.routingTag)] = address;
    else addressCards.push({ card, address });
  }
  return { addressBook: book, addressCards };
}
