/**
 * The independent v1 implementation (see independent-v1.ts), part 4: the
 * outer header, from docs/protocol.md §7.1–§7.4 and §9 alone: its layout and
 * derived values, and the opener's steps 1–12, which read it and decrypt the
 * inner part.
 */
import sodium from 'libsodium-wrappers-sumo';
import { cat, hex, readU32, refuse, xor } from './independent-bytes.js';
import { blake2b, ctEqual, D, routingTagOf } from './independent-v1-identity.js';

export const headerLength = (n: number): number => 38 + n * (n === 1 ? 16 : 48);
export const messageId = (ephemeral: Uint8Array): Uint8Array => blake2b(16, ephemeral, D.messageId);
export const nonceOf = (id: Uint8Array): Uint8Array => cat(id, new Uint8Array(8));
export const kekOf = (shared: Uint8Array, ephemeral: Uint8Array, recipientAgreementPublicKey: Uint8Array): Uint8Array =>
  blake2b(32, cat(D.kek, ephemeral, recipientAgreementPublicKey), shared);

/** What steps 13–21 need of the outer part: the header is both the AEAD's associated data and part of the signed string. */
export interface OpenedOuter {
  header: Uint8Array;
  id: Uint8Array;
  expires: number;
  inner: Uint8Array;
}

/** §9, steps 1–12, in order: the outer header checked, our entry found, the inner part decrypted. */
export function openOuter(
  bytes: Uint8Array,
  me: { agreementSecret: Uint8Array; agreementPublicKey: Uint8Array },
  limits: { nowS: number; skew: number; maxEnvelopeBytes: number },
): OpenedOuter {
  const { nowS, skew } = limits;
  if (bytes.length > limits.maxEnvelopeBytes) refuse('TOO_LARGE', 'envelope too large'); // 1
  if (bytes.length === 0) refuse('MALFORMED', 'empty'); // 2
  if (bytes[0] !== 1) refuse('UNSUPPORTED_VERSION', `version ${bytes[0]}`); // 3 (version 2 is independent-opener-v2.test.ts)
  if (bytes.length < 38) refuse('MALFORMED', 'short fixed header'); // 4
  const n = bytes[37]!;
  if (n === 0) refuse('MALFORMED', 'no recipients'); // 5
  const hLen = headerLength(n);
  if (bytes.length < hLen + 16 + 78) refuse('MALFORMED', 'too short'); // 6
  const entrySize = n === 1 ? 16 : 48;
  const tagOf = (index: number): string => hex(bytes.subarray(38 + index * entrySize, 38 + index * entrySize + 16));
  if (new Set(Array.from({ length: n }, (_, index) => tagOf(index))).size !== n) refuse('MALFORMED', 'a routing tag is listed twice'); // 6a
  const expires = readU32(bytes, 1);
  if (expires + skew < nowS) refuse('EXPIRED', 'expired'); // 7
  const header = bytes.subarray(0, hLen);
  const ephemeral = bytes.subarray(5, 37);
  const id = messageId(ephemeral); // 8
  const myTag = routingTagOf(me.agreementPublicKey);
  let mine = -1;
  for (let index = 0; index < n; index++) {
    if (ctEqual(bytes.subarray(38 + index * entrySize, 38 + index * entrySize + 16), myTag)) mine = index; // 9: at most one, after 6a
  }
  if (mine < 0) refuse('NOT_FOR_ME', 'no entry carries our tag');
  let shared: Uint8Array;
  try {
    shared = sodium.crypto_scalarmult(me.agreementSecret, ephemeral); // 10
  } catch {
    return refuse('DECRYPT_FAILED', 'all-zero shared secret');
  }
  const kek = kekOf(shared, ephemeral, me.agreementPublicKey); // 11
  const key = n === 1 ? kek : xor(bytes.subarray(38 + mine * 48 + 16, 38 + mine * 48 + 48), kek);
  let inner: Uint8Array;
  try {
    inner = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, bytes.subarray(hLen), header, nonceOf(id), key); // 12
  } catch {
    return refuse('DECRYPT_FAILED', 'AEAD');
  }
  return { header, id, expires, inner };
}
