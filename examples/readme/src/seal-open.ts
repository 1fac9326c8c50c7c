import { generateIdentity, open, seal, inspect } from '@herald/core';

const alice = generateIdentity({ label: 'Alice (ops room)' });
const bob = generateIdentity({ label: 'Bob (field team)' });

const envelope = seal('Evacuate sector 4 by 18:00.', { from: alice, to: bob.card, precedence: 'FLASH', ttl: 3600 });
console.log(inspect(envelope)); // version, size, id, expiry, routing tag: nothing else

const message = await open(envelope, { identity: bob, contacts: [alice.card], requireKnownSender: true });
console.log(message.sender.fingerprint, message.precedence, new TextDecoder().decode(message.plaintext));
