import type { ReceivedMessage } from '@herald/core';
import { printable } from './text.js';
import { verifiedMarks } from './verified.js';

/** A received message as `herald listen` and `herald inbox` print it: a text block, or one JSON line with --json. */
export async function formatMessage(message: ReceivedMessage, dataDirPath: string, json: boolean): Promise<string> {
  // Read per message: a contact verified (or rotated) while listening shows at once.
  const verified = (await verifiedMarks(dataDirPath)).has(message.sender.fingerprint);
  return json ? `${JSON.stringify(asJson(message, verified))}\n` : asText(message, verified);
}

function isText(message: ReceivedMessage): boolean {
  return message.contentType.startsWith('text/');
}

function asJson(message: ReceivedMessage, verified: boolean): Record<string, string | number | boolean | null> {
  return {
    id: message.id,
    sender: message.sender.fingerprint,
    ...(message.sender.label !== undefined ? { label: message.sender.label } : {}),
    verified,
    ...(message.trust ? { role: message.trust.role, authority: message.trust.authority, authorityLabel: message.trust.authorityLabel } : {}),
    channel: message.channel,
    precedence: message.precedence,
    contentType: message.contentType,
    envelopeVersion: message.envelopeVersion,
    postQuantum: message.postQuantum,
    prekey: message.prekey,
    created: message.created.toISOString(),
    ...(isText(message) ? { text: message.text } : { base64: Buffer.from(message.plaintext).toString('base64') }),
  };
}

function asText(message: ReceivedMessage, verified: boolean): string {
  const marks = [verified ? 'verified' : '', message.trust ? `certified${message.trust.role ? ` ${printable(message.trust.role)}` : ''} by ${printable(message.trust.authorityLabel)}` : ''].filter(Boolean);
  const who = `${message.sender.label ? `${printable(message.sender.label)} ` : ''}[${message.sender.fingerprint}]${marks.length > 0 ? ` (${marks.join(', ')})` : ''}`;
  const body = isText(message) ? message.text.split('\n').map(printable).join('\n') : `(${message.plaintext.length} bytes of ${printable(message.contentType)})`;
  return `${message.precedence} from ${who} via ${message.channel} at ${message.created.toISOString()} (${envelopeSummary(message)})\n${body}\n\n`;
}

/** `v1`, or `v2 one-time post-quantum` and the like: how the message was sealed. */
export function envelopeSummary(sealed: { readonly envelopeVersion?: 1 | 2; readonly prekey?: string | null; readonly postQuantum?: boolean }): string {
  if (sealed.envelopeVersion !== 2) return 'v1';
  return ['v2', sealed.prekey ?? '', sealed.postQuantum ? 'post-quantum' : 'classical'].filter(Boolean).join(' ');
}
