import { platform } from '#platform';
import { concatBytes, fromBase64, fromUtf8, readU32, toBase64, utf8, writeU32 } from './bytes.js';
import { KeyError, OptionsError } from './errors.js';
import { trimWhitespace } from './whitespace.js';
import { identityFromSecrets, type Identity } from './identity.js';
import { secureRandom } from './random.js';
import { sodium } from './sodium.js';

/**
 * Secret key file: PEM-style armor around
 *   "HSK" | version 1 | protection (0 none, 1 Argon2id) | [opslimit u32 | memlimit u32 | salt 16 | nonce 24]
 *   | payload (plain, or XChaCha20-Poly1305 sealed with the header as additional data)
 * payload = signing seed 32 | X25519 secret 32 | created u32 | label length u8 | label [| epochSeconds u32].
 * The trailing epochSeconds is present exactly when the card is version 2 (epoch routing tags); a file without it
 * is read as before, so version-1 key files are unchanged.
 */
const BEGIN = '-----BEGIN HERALD SECRET KEY-----';
const END = '-----END HERALD SECRET KEY-----';
const MAGIC = utf8('HSK');
const VERSION = 1;
const PLAIN = 0;
const ARGON2ID = 1;
const KDF_HEADER_BYTES = 4 + 4 + 16 + 24;

export type PassphraseStrength = 'interactive' | 'moderate' | 'sensitive';

export interface ExportIdentityOptions {
  /** Encrypts the file under a key derived with Argon2id. Default: none (rely on file permissions). */
  readonly passphrase?: string;
  /** Argon2id cost: interactive ≈0.3 s, moderate ≈1.5 s, sensitive ≈8 s here. Default: moderate. */
  readonly strength?: PassphraseStrength;
}

function limitsFor(strength: PassphraseStrength): { ops: number; mem: number } {
  switch (strength) {
    case 'interactive':
      return { ops: sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, mem: sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE };
    case 'moderate':
      return { ops: sodium.crypto_pwhash_OPSLIMIT_MODERATE, mem: sodium.crypto_pwhash_MEMLIMIT_MODERATE };
    case 'sensitive':
      return { ops: sodium.crypto_pwhash_OPSLIMIT_SENSITIVE, mem: sodium.crypto_pwhash_MEMLIMIT_SENSITIVE };
    default:
      throw new OptionsError(`strength: expected interactive, moderate or sensitive, got ${String(strength)}`);
  }
}

function payloadOf(identity: Identity): Uint8Array {
  const label = utf8(identity.card.label);
  const epochSeconds = identity.card.epochSeconds;
  const out = new Uint8Array(32 + 32 + 4 + 1 + label.length + (epochSeconds === undefined ? 0 : 4));
  out.set(identity.signingSeed, 0);
  out.set(identity.agreementSecretKey, 32);
  writeU32(out, 64, Math.floor(identity.card.created.getTime() / 1000));
  out[68] = label.length;
  out.set(label, 69);
  if (epochSeconds !== undefined) writeU32(out, 69 + label.length, epochSeconds);
  return out;
}

function identityFromPayload(payload: Uint8Array): Identity {
  const labelEnd = 69 + (payload[68] ?? 0);
  if (payload.length < 69 || (payload.length !== labelEnd && payload.length !== labelEnd + 4)) {
    throw new KeyError('BAD_KEY_FILE', 'secret key payload has the wrong length');
  }
  const epochSeconds = payload.length === labelEnd + 4 ? readU32(payload, labelEnd) : undefined;
  let label: string;
  try {
    label = fromUtf8(payload.subarray(69, labelEnd));
  } catch (cause) {
    throw new KeyError('BAD_KEY_FILE', 'secret key label is not valid UTF-8', { cause });
  }
  try {
    return identityFromSecrets(payload.subarray(0, 32), payload.subarray(32, 64), label, readU32(payload, 64), epochSeconds);
  } catch (cause) {
    throw new KeyError('BAD_KEY_FILE', 'secret key payload is invalid', { cause });
  }
}

function armor(bytes: Uint8Array): string {
  const body = toBase64(bytes).replace(/(.{64})/g, '$1\n').trimEnd();
  return `${BEGIN}\n${body}\n${END}\n`;
}

export function exportIdentity(identity: Identity, options: ExportIdentityOptions = {}): string {
  const payload = payloadOf(identity);
  if (options.passphrase === undefined) return armor(concatBytes([MAGIC, Uint8Array.of(VERSION, PLAIN), payload]));
  if (options.passphrase.length === 0) throw new OptionsError('passphrase: must not be empty (omit it for no passphrase)');
  const { ops, mem } = limitsFor(options.strength ?? 'moderate');
  const kdf = new Uint8Array(KDF_HEADER_BYTES);
  writeU32(kdf, 0, ops);
  writeU32(kdf, 4, mem);
  kdf.set(secureRandom(16 + 24), 8);
  const header = concatBytes([MAGIC, Uint8Array.of(VERSION, ARGON2ID), kdf]);
  const key = sodium.crypto_pwhash(32, options.passphrase, kdf.subarray(8, 24), ops, mem, sodium.crypto_pwhash_ALG_ARGON2ID13);
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(payload, header, null, kdf.subarray(24, 48), key);
  key.fill(0);
  payload.fill(0);
  return armor(concatBytes([header, sealed]));
}

export function isPassphraseProtected(text: string): boolean {
  return unarmor(text)[4] === ARGON2ID;
}

function unarmor(text: string): Uint8Array {
  const trimmed = trimWhitespace(text);
  if (!trimmed.startsWith(BEGIN) || !trimmed.endsWith(END)) throw new KeyError('BAD_KEY_FILE', 'not a Herald secret key file');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(trimmed.slice(BEGIN.length, trimmed.length - END.length));
  } catch (cause) {
    throw new KeyError('BAD_KEY_FILE', 'secret key file body is not base64', { cause });
  }
  if (bytes.length < 5 || bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1] || bytes[2] !== MAGIC[2]) throw new KeyError('BAD_KEY_FILE', 'not a Herald secret key file');
  if (bytes[3] !== VERSION) throw new KeyError('BAD_KEY_FILE', `secret key file version ${bytes[3]} is not supported`);
  return bytes;
}

export function importIdentity(text: string, passphrase?: string): Identity {
  const bytes = unarmor(text);
  if (bytes[4] === PLAIN) return identityFromPayload(bytes.subarray(5));
  if (bytes[4] !== ARGON2ID) throw new KeyError('BAD_KEY_FILE', `unknown key protection ${bytes[4]}`);
  if (passphrase === undefined) throw new KeyError('PASSPHRASE_REQUIRED', 'this secret key file is protected by a passphrase');
  if (bytes.length < 5 + KDF_HEADER_BYTES + 16) throw new KeyError('BAD_KEY_FILE', 'secret key file is truncated');
  const header = bytes.subarray(0, 5 + KDF_HEADER_BYTES);
  const ops = readU32(bytes, 5);
  const mem = readU32(bytes, 9);
  // Bound the cost an attacker-supplied file can make us pay.
  if (ops > sodium.crypto_pwhash_OPSLIMIT_SENSITIVE || mem > sodium.crypto_pwhash_MEMLIMIT_SENSITIVE || ops < sodium.crypto_pwhash_OPSLIMIT_MIN || mem < sodium.crypto_pwhash_MEMLIMIT_MIN) {
    throw new KeyError('BAD_KEY_FILE', 'secret key file asks for out-of-range Argon2id limits');
  }
  const key = sodium.crypto_pwhash(32, passphrase, bytes.subarray(13, 29), ops, mem, sodium.crypto_pwhash_ALG_ARGON2ID13);
  let payload: Uint8Array;
  try {
    payload = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, bytes.subarray(5 + KDF_HEADER_BYTES), header, bytes.subarray(29, 53), key);
  } catch (cause) {
    throw new KeyError('BAD_PASSPHRASE', 'wrong passphrase, or the key file was altered', { cause });
  } finally {
    key.fill(0);
  }
  return identityFromPayload(payload);
}

/** Writes a secret key file with mode 0600, refusing to overwrite unless `overwrite` is set, and fsyncs it. */
export async function writeSecretKeyFile(path: string, identity: Identity, options: ExportIdentityOptions & { overwrite?: boolean } = {}): Promise<void> {
  await platform.writeSecretTextFile(path, exportIdentity(identity, options), options.overwrite === true);
}

export async function readSecretKeyFile(path: string, passphrase?: string): Promise<Identity> {
  return importIdentity(await platform.readTextFile(path), passphrase);
}
