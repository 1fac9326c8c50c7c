/**
 * The independent v1 implementation (see independent-v1.ts), part 6: opening,
 * from docs/protocol.md §9 alone. Steps 1–12 (the outer header, up to
 * decryption) are openOuter's; this reads the inner part, steps 13–21.
 */
import sodium from 'libsodium-wrappers-sumo';
import { hex, readU32, refuse, utf8Strict } from './independent-bytes.js';
import { ctEqual, keyIdOf } from './independent-v1-identity.js';
import { decodeContentType, PRECEDENCE_BY_CODE, signedString } from './independent-v1-inner.js';
import { openOuter } from './independent-v1-outer.js';
import { decodeTextDoc } from './independent-v1-text-coding.js';

export interface Contact {
  signingPublicKey: Uint8Array;
}

export interface IndependentOpenOptions {
  me: { agreementSecret: Uint8Array; agreementPublicKey: Uint8Array };
  contacts?: readonly Contact[];
  requireKnownSender?: boolean;
  seen?: Map<string, number>;
  nowMs: number;
  skew?: number;
  maxEnvelopeBytes?: number;
}

interface IndependentOpened {
  plaintext: Uint8Array;
  /** The body as it stands in the inner part (coded, when meta bit 4 is set). */
  body: Uint8Array;
  id: string;
  senderSigningKey: Uint8Array;
  precedence: (typeof PRECEDENCE_BY_CODE)[number];
  contentType: string;
  padded: boolean;
  created: number;
  expires: number;
  /** What was verified: the signed string and the signature. */
  signed: Uint8Array;
  signature: Uint8Array;
}

/** §9, steps 1–21, in order. */
export function independentOpen(bytes: Uint8Array, options: IndependentOpenOptions): IndependentOpened {
  const skew = options.skew ?? 300;
  const nowS = Math.floor(options.nowMs / 1000);
  const { header, id, expires, inner } = openOuter(bytes, options.me, { nowS, skew, maxEnvelopeBytes: options.maxEnvelopeBytes ?? 32 * 1024 * 1024 }); // 1–12
  const meta = inner[0]!;
  if ((meta & 0xe0) !== 0) refuse('MALFORMED', 'reserved meta bits'); // 13
  const type = decodeContentType(inner, 1); // 14
  if (!type) return refuse('MALFORMED', 'content type');
  const codedText = (meta & 0x10) !== 0;
  if (codedText && inner[1] !== 0x01) refuse('MALFORMED', 'coded text with a type other than text/plain; charset=utf-8'); // 14
  const compact = (meta & 0x08) !== 0;
  const senderAt = 1 + type.length;
  const createdAt = senderAt + (compact ? 8 : 32);
  const signatureAt = createdAt + 4;
  const bodyAt = signatureAt + 64;
  if (inner.length < bodyAt) refuse('MALFORMED', 'truncated inner'); // 15
  const senderField = inner.subarray(senderAt, createdAt);
  const contact = compact
    ? options.contacts?.find((card) => ctEqual(keyIdOf(card.signingPublicKey), senderField))
    : options.contacts?.find((card) => ctEqual(card.signingPublicKey, senderField)); // 16
  if (compact && !contact) refuse('UNKNOWN_SENDER', 'key id not among contacts');
  if (options.requireKnownSender && !contact) refuse('UNKNOWN_SENDER', 'not an accepted contact');
  const senderSigningKey = contact ? contact.signingPublicKey : senderField.slice();
  const padded = (meta & 0x04) !== 0;
  let bodyEnd = inner.length;
  if (padded) {
    // 17: back over zeros to the marker
    bodyEnd = inner.length - 1;
    while (bodyEnd >= 0 && inner[bodyEnd] === 0) bodyEnd--;
    if (bodyEnd < bodyAt || inner[bodyEnd] !== 0x80) refuse('MALFORMED', 'padding');
  }
  const created = inner.subarray(createdAt, signatureAt);
  const body = inner.subarray(bodyAt, bodyEnd);
  const signature = inner.slice(signatureAt, bodyAt);
  const signed = signedString(header, meta, inner.subarray(1, senderAt), senderSigningKey, created, body);
  if (!sodium.crypto_sign_verify_detached(signature, signed, senderSigningKey)) refuse('BAD_SIGNATURE', 'signature'); // 18
  const plaintext = codedText ? decodeTextDoc(body) : body.slice(); // 18a
  if (inner[1] === 0x01) {
    try {
      utf8Strict(plaintext); // 18b
    } catch {
      refuse('MALFORMED', 'text/plain; charset=utf-8 body is not UTF-8');
    }
  }
  const createdS = readU32(created, 0);
  if (createdS > expires) refuse('MALFORMED', 'created after expiry'); // 19
  if (createdS > nowS + skew) refuse('NOT_YET_VALID', 'created in the future'); // 20
  const idHex = hex(id);
  if (options.seen) {
    // 21
    const known = options.seen.get(idHex);
    if (known !== undefined && known >= nowS) refuse('REPLAY', 'seen');
    options.seen.set(idHex, expires + skew);
  }
  return {
    plaintext,
    body: body.slice(),
    id: idHex,
    senderSigningKey,
    precedence: PRECEDENCE_BY_CODE[meta & 0x03]!,
    contentType: type.contentType,
    padded,
    created: createdS,
    expires,
    signed,
    signature,
  };
}
