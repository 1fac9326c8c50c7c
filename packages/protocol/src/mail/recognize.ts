import { ARMOR_BEGIN, ARMOR_END, dearmorEnvelope, envelopeRoutingTags } from '@herald/core';

/**
 * Recognising a Herald envelope in mail, shared by the e-mail channel (which
 * first picks candidate parts by MIME structure, transport-email's
 * candidates.ts) and the relay's SMTP endpoint: by the envelope's own format
 * (version byte and header parse). Anything that fails is not ours and is
 * never touched.
 */

/** Size of `bytes` once base64-encoded in 76-character lines with CRLF: the most a part carrying an envelope can weigh. */
export function encodedSize(bytes: number): number {
  const base64 = Math.ceil(bytes / 3) * 4;
  return base64 + Math.ceil(base64 / 76) * 2;
}

/** Room for camouflage text beside the armored envelope in a text body. */
export const TEXT_ALLOWANCE = 70 * 1024;


const BASE64_PARAGRAPH = /^[A-Za-z0-9+/=\s]+$/;

/** The envelope in a plain-text body: the last paragraph that is pure base64 (or a BEGIN/END armored block, as `herald seal` prints). */
export function envelopeFromText(text: string): Uint8Array | undefined {
  const begin = text.indexOf(ARMOR_BEGIN);
  const end = text.indexOf(ARMOR_END, begin);
  if (begin !== -1 && end !== -1) {
    try {
      return dearmorEnvelope(text.slice(begin, end + ARMOR_END.length));
    } catch {
      return undefined;
    }
  }
  const paragraphs = text.split(/\r?\n[ \t]*\r?\n/).map((paragraph) => paragraph.trim()).filter((paragraph) => paragraph.length > 0);
  for (let index = paragraphs.length - 1; index >= 0; index--) {
    const paragraph = paragraphs[index]!;
    if (!BASE64_PARAGRAPH.test(paragraph)) continue;
    const bytes = new Uint8Array(Buffer.from(paragraph.replace(/\s+/g, ''), 'base64'));
    if (tagsOf(bytes)) return bytes;
  }
  return undefined;
}

/** The envelope's routing tags, or undefined when the bytes are not a Herald envelope. */
export function tagsOf(bytes: Uint8Array): string[] | undefined {
  try {
    return envelopeRoutingTags(bytes);
  } catch {
    return undefined;
  }
}
