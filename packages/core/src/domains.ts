import { utf8 } from './bytes.js';

/**
 * Domain-separation strings, used as BLAKE2b keys or signature prefixes so that
 * no hash or signature made for one purpose is valid for another. Listed in docs/protocol.md.
 */
export const DOMAIN = {
  fingerprint: utf8('herald/v1/fingerprint'),
  routingTag: utf8('herald/v1/routing-tag'),
  messageId: utf8('herald/v1/message-id'),
  keyEncryptionKey: utf8('herald/v1/kek'),
  envelopeSignature: utf8('herald/v1/envelope-signature'),
  cardSignature: utf8('herald/v1/card-signature'),
} as const;
