import { ARMOR_BEGIN, ARMOR_END, dearmorEnvelope, envelopeRoutingTags } from '@herald/core';
import type { MessageStructureObject } from 'imapflow';

/**
 * Recognising Herald mail without a marker: by MIME structure first (cheap,
 * from BODYSTRUCTURE, nothing downloaded: leaf parts of a fitting size), then
 * by the envelope's own format (version byte and header parse). Names and
 * media types are never looked at: Herald's mails vary them like anyone's.
 * Anything that fails is not ours and is never touched.
 */

/** A part worth downloading: a non-text part small enough to be an envelope (attachment format), or a plain-text body (armored format). */
export interface Candidate {
  readonly part: string;
  readonly kind: 'binary' | 'text';
  /** Size as the server reports it (transfer-encoded). */
  readonly size: number;
}

/** Size of `bytes` once base64-encoded in 76-character lines with CRLF: the most a part carrying an envelope can weigh. */
export function encodedSize(bytes: number): number {
  const base64 = Math.ceil(bytes / 3) * 4;
  return base64 + Math.ceil(base64 / 76) * 2;
}

/** Room for camouflage text beside the armored envelope in a text body. */
export const TEXT_ALLOWANCE = 70 * 1024;
/** Parts tried per mail at most, so a mail with a hundred attachments costs a bounded amount. */
const MAX_CANDIDATES = 3;

export function envelopeCandidates(structure: MessageStructureObject | undefined, maxEnvelopeBytes: number): Candidate[] {
  if (!structure) return [];
  const binary: Candidate[] = [];
  const text: Candidate[] = [];
  const limit = encodedSize(maxEnvelopeBytes) + 1024;
  const visit = (node: MessageStructureObject, depth: number): void => {
    if (depth > 8) return;
    const type = node.type.toLowerCase();
    if (node.childNodes && node.childNodes.length > 0) {
      // A forwarded message/rfc822 is someone else's mail, not ours to pick apart.
      if (type.startsWith('multipart/')) for (const child of node.childNodes) visit(child, depth + 1);
      return;
    }
    // A single-part mail's body is part "1" in IMAP.
    const part = node.part ?? '1';
    const size = node.size ?? 0;
    // Any attachment may be the envelope, whatever its name and declared type (senders name it as a document, a
    // photo, an archive…): it is recognised by decoding, never by a name or a type.
    if (type === 'text/plain') {
      if (size > 0 && size <= limit + TEXT_ALLOWANCE) text.push({ part, kind: 'text', size });
    } else if (!type.startsWith('text/') && size > 0 && size <= limit) binary.push({ part, kind: 'binary', size });
  };
  visit(structure, 0);
  return [...binary, ...text].slice(0, MAX_CANDIDATES);
}

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
