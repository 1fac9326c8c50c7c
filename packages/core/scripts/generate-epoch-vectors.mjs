// Regenerates test/vectors/epoch.json (docs/protocol.md sections 4.1, 5.4 and 14) from Alice's seed in
// identities.json. Run after `pnpm build`, only after a deliberate change to the blinding or card version 2.
import { readFileSync, writeFileSync } from 'node:fs';
import * as herald from '../dist/index.js';

const folder = new URL('../test/vectors/', import.meta.url);
const alice = JSON.parse(readFileSync(new URL('identities.json', folder), 'utf8'))[0];
const epochSeconds = 86_400;
const identity = herald.identityFromSecrets(herald.fromHex(alice.signingSeed), herald.fromHex(alice.agreementSecretKey), alice.label, alice.created, epochSeconds);
const message = new TextEncoder().encode('herald epoch vector');
const epochs = [20_429, 20_430].map((epoch) => {
  const mailbox = herald.blindedMailbox(identity, epoch);
  return {
    epoch,
    blindingFactor: herald.toHex(herald.blindingFactor(identity.card.signingPublicKey, epochSeconds, epoch)),
    blindedKey: herald.toHex(mailbox.publicKey),
    tag: herald.toHex(mailbox.tag),
    signature: herald.toHex(mailbox.sign(message)),
  };
});
const vectors = {
  label: alice.label,
  signingSeed: alice.signingSeed,
  agreementSecretKey: alice.agreementSecretKey,
  created: alice.created,
  epochSeconds,
  signingPublicKey: herald.toHex(identity.card.signingPublicKey),
  staticRoutingTag: herald.toHex(identity.card.routingTag),
  cardText: herald.cardToText(identity.card),
  message: herald.toHex(message),
  epochs,
};
writeFileSync(new URL('epoch.json', folder), JSON.stringify(vectors, null, 2) + '\n');
