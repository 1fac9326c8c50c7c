import { KeyError, importIdentity, isPassphraseProtected, parseCard, type Card, type Identity } from '@herald/core';
import { readTextFile } from './files.js';
import { PASSPHRASE_ENV, readPassphrase } from './passphrase.js';
import { askSecret, canAsk } from './tty-prompt.js';

const SECRET_KEY_BEGIN = '-----BEGIN HERALD SECRET KEY-----';
const CARD_PREFIX = 'herald-card:';

/** alice.key → alice.card; anything else gets `.card` appended, so a card never replaces the key. */
export function cardPathFor(keyPath: string): string {
  return keyPath.endsWith('.key') ? `${keyPath.slice(0, -'.key'.length)}.card` : `${keyPath}.card`;
}

/** Core's messages do not know which file they are about; with several --to flags the user needs to. */
function naming(source: string, error: unknown): unknown {
  return error instanceof KeyError ? new KeyError(error.code, `${source}: ${error.message}`, { cause: error }) : error;
}

async function identityFromText(text: string, path: string, passphraseFile: string | undefined): Promise<Identity> {
  let isProtected: boolean;
  try {
    isProtected = isPassphraseProtected(text);
  } catch (error) {
    throw naming(path, error);
  }
  // Asking for the passphrase only when the file needs one keeps HERALD_PASSPHRASE harmless for plain keys.
  const passphrase = isProtected ? await readPassphrase(passphraseFile) : undefined;
  if (isProtected && passphrase === undefined) {
    if (canAsk()) return askUntilRight(text, path);
    throw new KeyError('PASSPHRASE_REQUIRED', `${path} is protected by a passphrase; pass --passphrase-file FILE or set ${PASSPHRASE_ENV}`);
  }
  try {
    return importIdentity(text, passphrase);
  } catch (error) {
    throw naming(path, error);
  }
}

/** At a terminal: asks for the key's passphrase, up to three times while it is wrong. */
async function askUntilRight(text: string, path: string): Promise<Identity> {
  for (let attempt = 1; ; attempt++) {
    const passphrase = await askSecret(`passphrase for ${path}: `);
    try {
      return importIdentity(text, passphrase);
    } catch (error) {
      if (!(error instanceof KeyError) || error.code !== 'BAD_PASSPHRASE' || attempt === 3) throw naming(path, error);
      process.stderr.write('wrong passphrase, try again\n');
    }
  }
}

let lastLoaded: Identity | undefined;

export async function loadIdentity(path: string, passphraseFile: string | undefined): Promise<Identity> {
  lastLoaded = await identityFromText(await readTextFile(path, 'secret key file'), path, passphraseFile);
  return lastLoaded;
}

/**
 * The identity this command loaded with --key, if any. A herald process runs one
 * command for one identity; ws:// channels authenticate with it (channels.ts)
 * when their caller does not pass the identity itself.
 */
export function loadedIdentity(): Identity | undefined {
  return lastLoaded;
}

function cardFromText(text: string, source: string): Card {
  if (text.includes(SECRET_KEY_BEGIN)) {
    throw new KeyError('BAD_CARD', `${source} is a secret key file, not a contact card; share and use its .card file instead`);
  }
  try {
    return parseCard(text);
  } catch (error) {
    throw naming(source, error);
  }
}

function isInlineCard(argument: string): boolean {
  return argument.trimStart().startsWith(CARD_PREFIX);
}

/** A card file path, or the one-line `herald-card:` text itself (handy when pasting from chat). */
export async function loadCard(argument: string): Promise<Card> {
  if (isInlineCard(argument)) return cardFromText(argument, 'card text');
  return cardFromText(await readTextFile(argument, 'card file'), argument);
}

/** Like loadCard, but a secret key file is accepted too and yields its own card. */
export async function loadCardOrKey(argument: string, passphraseFile: string | undefined): Promise<Card> {
  if (isInlineCard(argument)) return cardFromText(argument, 'card text');
  const text = await readTextFile(argument, 'file');
  if (text.includes(SECRET_KEY_BEGIN)) return (await identityFromText(text, argument, passphraseFile)).card;
  return cardFromText(text, argument);
}
