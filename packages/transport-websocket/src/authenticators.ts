import type { BlindedMailbox } from '@herald/core';
import { answerChallenge, answerMailboxChallenge, encodeCertificate } from '@herald/protocol/relay';
import type { Authenticator } from './connection.js';
import type { ResolvedInit } from './init.js';

/** AUTH as the identity, collecting its own (static) mailbox when `collect` is true (docs/relay-protocol.md 4). */
export function identityAuthenticator(init: ResolvedInit, collect: boolean): Authenticator {
  return (challenge, url) => [
    // The chain first: a relay that admits only certified clients checks it when the AUTH arrives.
    ...(init.certificate ? [encodeCertificate(init.certificate)] : []),
    answerChallenge(init.identity, challenge, url, collect),
  ];
}

/** MAILBOX_AUTH claiming one epoch mailbox, showing no identity (docs/relay-protocol.md 4.4): one tag per connection. */
export function mailboxAuthenticator(mailbox: BlindedMailbox): Authenticator {
  return (challenge, url) => [answerMailboxChallenge([mailbox], challenge, url)];
}
