import { createNode, generateIdentity, parseCard, type HeraldNode } from '@herald/core';
import { indexedDbPrekeySecretStore, indexedDbStore, loadIdentity, saveIdentity } from '@herald/store-indexeddb';
import { webSocketTransport } from '@herald/transport-websocket';

/** A node in a web page: its identity kept under a passphrase in IndexedDB, its outbox, inbox and prekeys there too. */
export async function startPageNode(passphrase: string, opsCardText: string): Promise<HeraldNode> {
  const identity = (await loadIdentity({ passphrase })) ?? generateIdentity({ label: 'Field tablet 3' });
  await saveIdentity({ identity, passphrase, strength: 'interactive', overwrite: true });
  const node = createNode({
    identity,
    contacts: [parseCard(opsCardText)],
    store: await indexedDbStore(),
    prekeys: await indexedDbPrekeySecretStore({ identity }),
    channels: [webSocketTransport({ url: 'wss://relay.example.org', identity })],
  });
  await node.start();
  return node;
}
