/**
 * The quickstart: Alice seals a FLASH message for Bob; we print what a relay
 * would see, then Bob opens it and checks it came from Alice.
 * Run with `pnpm demo` from the repository root.
 */
import { generateIdentity, inspect, memorySeenSet, open, seal } from '@herald/core';

const alice = generateIdentity({ label: 'Alice (ops room)' });
const bob = generateIdentity({ label: 'Bob (field team)' });
console.log(`Alice's fingerprint: ${alice.card.fingerprint}`);
console.log(`Bob's fingerprint:   ${bob.card.fingerprint}`);

const envelope = seal('Evacuate sector 4 by 18:00. Acknowledge.', { from: alice, to: bob.card, precedence: 'FLASH', ttl: 3600 });

const outside = inspect(envelope);
console.log('\nWhat a relay, broker or observer sees:');
console.log(`  ${outside.totalBytes} bytes, version ${outside.version}, id ${outside.id}`);
console.log(`  expires ${outside.expires.toISOString()}, routing tag ${outside.routingTags.join(', ')}`);
console.log('  (no sender, no precedence, no content; the length is padded to a bucket)');

const seen = memorySeenSet();
const message = await open(envelope, { identity: bob, contacts: [alice.card], requireKnownSender: true, seen });
console.log('\nWhat Bob opens:');
console.log(`  from ${message.sender.card?.label} [${message.sender.fingerprint}], ${message.precedence}`);
console.log(`  "${new TextDecoder().decode(message.plaintext)}"`);

try {
  await open(envelope, { identity: bob, seen });
} catch (error) {
  console.log(`\nThe same envelope a second time: refused with ${(error as { code: string }).code}`);
}
