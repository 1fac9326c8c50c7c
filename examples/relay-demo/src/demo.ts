/**
 * pnpm demo — a real relay and a first exchange through it, on embedded defaults.
 *
 * 1. Start the relay daemon (LMDB mailboxes in a temporary folder, a free port on 127.0.0.1).
 * 2. Alice sends Bob a FLASH message while Bob is offline: the relay stores it durably.
 * 3. Bob comes online: the relay pushes it, Bob's node opens and verifies it,
 *    and Bob's signed end-to-end ack travels back through the relay to Alice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, generateIdentity, memoryStore, type HeraldNode, type Identity, type ReceivedMessage } from '@herald/core';
import { webSocketTransport } from '@herald/transport-websocket';
import { startRelay } from './relay-process.js';

const workdir = await mkdtemp(join(tmpdir(), 'herald-relay-demo-'));
const relay = await startRelay(join(workdir, 'relay'));
console.log(`Relay started: ${relay.url} (mailboxes in LMDB under ${join(workdir, 'relay')})`);

const alice = generateIdentity({ label: 'Alice (ops room)' });
const bob = generateIdentity({ label: 'Bob (field team)' });

function nodeFor(identity: Identity, contact: Identity): HeraldNode {
  return createNode({ identity, contacts: [contact.card], store: memoryStore(), channels: [webSocketTransport({ url: relay.url, identity })] });
}

const aliceNode = nodeFor(alice, bob);
let bobNode: HeraldNode | undefined;
try {
  await aliceNode.start();
  const handle = await aliceNode.send(bob.card, 'Evacuate sector 4 by 18:00. Acknowledge.', { precedence: 'FLASH', ttl: 3600 });
  handle.onStatus((change) => console.log(`  Alice's message ${change.status}${change.channel ? ` (${change.channel})` : ''}`));
  console.log(`\nAlice sends a FLASH message to Bob, who is offline (id ${handle.id}).`);
  const storedBy = Date.now() + 10_000;
  while ((await relay.metric('herald_relay_mailbox_envelopes')) < 1 && Date.now() < storedBy) await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(`  The relay holds ${await relay.metric('herald_relay_mailbox_envelopes')} envelope for Bob's mailbox: sealed, no sender, no content.`);

  console.log('\nBob comes online and collects his mailbox.');
  bobNode = nodeFor(bob, alice);
  await bobNode.start();
  const messages = bobNode.messages({ signal: AbortSignal.timeout(15_000) });
  const first = (await messages.next()).value as ReceivedMessage;
  console.log(`  Bob reads: "${first.text}"`);
  console.log(`  from ${first.sender.label} [${first.sender.fingerprint}], ${first.precedence}, via ${first.channel}`);
  await first.ack();

  const status = await handle.settled({ signal: AbortSignal.timeout(15_000) });
  console.log(`\nAlice's message is ${status}: Bob's signed acknowledgement came back through the relay.`);
  // Each side acknowledged what it collected (Bob the message, Alice the ack); the relay removes it durably.
  const emptyBy = Date.now() + 5_000;
  while ((await relay.metric('herald_relay_mailbox_envelopes')) > 0 && Date.now() < emptyBy) await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(`The relay now holds ${await relay.metric('herald_relay_mailbox_envelopes')} envelopes: collected mail is removed once acknowledged.`);
} finally {
  await bobNode?.stop();
  await aliceNode.stop();
  const code = await relay.stop();
  console.log(`Relay stopped gracefully (exit ${code}).`);
  await rm(workdir, { recursive: true, force: true });
}
