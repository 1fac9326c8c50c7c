import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, generateIdentity, type Card, type Identity } from '@herald/core';
import { lmdbStore } from '@herald/store-lmdb';
import { dirTransport } from '@herald/transport-dir';
import { webSocketTransport } from '@herald/transport-websocket';

// First start a relay: herald relay --listen 127.0.0.1:7700 --data-dir relay-data
const relayUrl = process.env.HERALD_RELAY ?? 'ws://127.0.0.1:7700';
const workdir = await mkdtemp(join(tmpdir(), 'herald-readme-'));
const sharedFolder = join(workdir, 'shared-folder'); // a second channel: a synced folder or a USB stick

// In an app, identities come from key files (importIdentity) and contacts from cards compared in person.
const alice = generateIdentity({ label: 'Alice (ops room)' });
const bob = generateIdentity({ label: 'Bob (field team)' });

async function station(identity: Identity, contacts: Card[], dataDir: string) {
  const store = await lmdbStore({ path: join(workdir, dataDir) });
  const node = createNode({
    identity,
    contacts,
    store,
    // In order of preference: the relay, then the folder when the relay cannot be reached.
    channels: [webSocketTransport({ url: relayUrl, identity }), dirTransport({ path: sharedFolder })],
  });
  await node.start();
  return { node, close: async () => (await node.stop(), await store.close()) };
}

const ops = await station(alice, [bob.card], 'alice-data');
const field = await station(bob, [alice.card], 'bob-data');

// A recipient is a card, or a contact's label or fingerprint.
const handle = await ops.node.send('Bob (field team)', 'Convoy leaves at 06:00', { precedence: 'IMMEDIATE' });
handle.onStatus((change) => console.log('ops:', change.status, change.channel ?? ''));

for await (const received of field.node.messages()) {
  console.log('field:', received.sender.label, received.precedence, received.text);
  await received.ack(); // the app has it: the signed end-to-end ack goes back to Alice
  break;
}
console.log('ops: settled as', await handle.settled({ signal: AbortSignal.timeout(30_000) }));
await Promise.all([ops.close(), field.close()]);
