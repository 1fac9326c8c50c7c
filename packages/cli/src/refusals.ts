import type { Card } from '@herald/core';
import { printable } from './text.js';

/** What a person can do about each refusal `herald listen` reports; codes in docs/errors.md. */
const ADVICE: Readonly<Record<string, string>> = {
  UNKNOWN_SENDER: 'not among your contacts: compare their fingerprint with them, then herald contacts add THEIR.card',
  UNCERTIFIED: 'no certificate from an authority you trust: ask them for it, or add and verify their card (herald contacts verify)',
  UNTRUSTED_AUTHORITY: 'certified by an authority you do not trust: herald trust authority AUTHORITY.card, if you should',
  REVOKED: 'their key was revoked by your organisation: do not act on it; tell your security officer',
  CERT_EXPIRED: 'their certificate expired: they need a new one from the authority',
  NOT_FOR_ME: 'sealed to another identity: someone sent it to the wrong key, or this is not your channel',
  EXPIRED: 'it expired before it reached you: ask the sender to send it again',
  NOT_YET_VALID: "its creation time is ahead of your clock: check this device's clock, or the sender's",
  DECRYPT_FAILED: 'altered or damaged on the way, or forged: if it repeats, someone may be tampering with the channel',
  BAD_SIGNATURE: 'the signature does not verify: altered on the way, or forged',
  MALFORMED: 'not a valid envelope: damaged on the way, or not from Herald',
  UNSUPPORTED_VERSION: 'made by a newer Herald: update this one',
  TOO_LARGE: 'larger than this node accepts',
};

/** One line for a refused envelope: from whom (label or fingerprint, when its signature verified), why, and what to do. */
export function describeRefusal(event: { readonly code: string; readonly channel: string; readonly sender?: string }, contacts: readonly Card[]): string {
  const card = event.sender === undefined ? undefined : contacts.find((contact) => contact.fingerprint === event.sender);
  const from = event.sender === undefined ? 'an unknown sender' : card?.label ? `${printable(card.label)} [${event.sender}]` : event.sender;
  const advice = ADVICE[event.code];
  return `refused from ${from} via ${event.channel}: ${event.code}${advice ? ` (${advice})` : ''}\n`;
}
