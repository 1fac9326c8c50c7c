import type { MessageStructureObject } from 'imapflow';
import { encodedSize, TEXT_ALLOWANCE } from '@herald/protocol';

/**
 * Recognising Herald mail without a marker, first step: by MIME structure
 * (cheap, from BODYSTRUCTURE, nothing downloaded). The parts it picks are then
 * checked by the envelope's own format (@herald/protocol's envelopeFromText).
 */

/** A part worth downloading: an opaque attachment (attachment format) or a plain-text body (armored format). */
export interface Candidate {
  readonly part: string;
  readonly kind: 'binary' | 'text';
  /** Size as the server reports it (transfer-encoded). */
  readonly size: number;
}

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
    if (type === 'application/octet-stream' && size > 0 && size <= limit) binary.push({ part, kind: 'binary', size });
    else if (type === 'text/plain' && size > 0 && size <= limit + TEXT_ALLOWANCE) text.push({ part, kind: 'text', size });
  };
  visit(structure, 0);
  return [...binary, ...text].slice(0, MAX_CANDIDATES);
}
