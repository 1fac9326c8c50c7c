/**
 * The page of durable.integration.test.ts: a node whose identity, prekey secrets
 * and messages live in IndexedDB (the passphrase unlocks them at each load), so it
 * carries on after a reload. Driven by the test through `globalThis.herald`.
 */
import { cardToText, createNode, generateIdentity, isPassphraseProtected, parseCard, type Card, type HeraldNode, type Identity, type Precedence } from '@herald/core';
import { indexedDbPrekeySecretStore, indexedDbStore, loadIdentity, saveIdentity, storedIdentityText } from '@herald/store-indexeddb';
import { webSocketTransport } from '@herald/transport-websocket';
import { encode } from './wire.js';

const DATABASE = 'field-node';

export interface PageMessage {
  readonly text: string;
  readonly envelopeVersion: number;
  readonly postQuantum: boolean;
}

export interface DurablePage {
  /** Unlocks the stored identity (or creates and stores one) and starts the node; resolves with its card text. */
  boot(relayUrl: string, passphrase: string, contactCard: string): Promise<string>;
  send(text: string, precedence: Precedence): Promise<string>;
  outbox(): Promise<Array<{ id: string; status: string }>>;
  /** Messages handed to the application since this load (each acked at once). */
  inbox(): PageMessage[];
  /** The error code loadIdentity gives for `passphrase`. */
  unlockError(passphrase: string): Promise<string>;
  /** What is at rest: localStorage's size, whether the key file is passphrase-protected, whether the secret seed shows anywhere in IndexedDB. */
  atRest(): Promise<{ localStorageItems: number; keyFileProtected: boolean; seedInDatabase: boolean }>;
}

let node: HeraldNode | undefined;
let identity: Identity | undefined;
let contact: Card | undefined;
const inbox: PageMessage[] = [];

async function everyValue(name: string): Promise<string> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const texts: string[] = [];
  for (const store of Array.from(db.objectStoreNames)) {
    const values = await new Promise<unknown[]>((resolve, reject) => {
      const request = db.transaction(store).objectStore(store).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    texts.push(encode(values));
  }
  db.close();
  return texts.join('\n');
}

const page: DurablePage = {
  async boot(relayUrl, passphrase, contactCard) {
    identity = (await loadIdentity({ name: DATABASE, passphrase })) ?? generateIdentity({ label: 'Field console' });
    if ((await storedIdentityText({ name: DATABASE })) === undefined) await saveIdentity({ name: DATABASE, identity, passphrase, strength: 'interactive' });
    contact = parseCard(contactCard);
    node = createNode({
      identity,
      contacts: [contact],
      store: await indexedDbStore({ name: DATABASE }),
      prekeys: await indexedDbPrekeySecretStore({ name: DATABASE, identity }),
      channels: [webSocketTransport({ url: relayUrl, identity, minReconnectDelayMs: 50, maxReconnectDelayMs: 500, connectTimeoutMs: 3000, sendTimeoutMs: 5000 })],
      policy: { retryMinDelayMs: 50, maxBackoffMs: 500 },
    });
    await node.start();
    const running = node;
    void (async () => {
      for await (const message of running.messages()) {
        inbox.push({ text: message.text, envelopeVersion: message.envelopeVersion, postQuantum: message.postQuantum });
        await message.ack();
      }
    })();
    return cardToText(identity.card);
  },
  async send(text, precedence) {
    if (!node || !contact) throw new Error('boot first');
    return (await node.send(contact, text, { precedence })).id;
  },
  async outbox() {
    if (!node) throw new Error('boot first');
    return (await node.outbox()).map((record) => ({ id: record.id, status: record.status }));
  },
  inbox: () => [...inbox],
  async unlockError(passphrase) {
    try {
      await loadIdentity({ name: DATABASE, passphrase });
      return 'none';
    } catch (error) {
      return String((error as { code?: string }).code);
    }
  },
  async atRest() {
    if (!identity) throw new Error('boot first');
    const keyFile = await storedIdentityText({ name: DATABASE });
    // Bytes are coded as comma-separated numbers (wire.ts): the seed's would show as this run.
    const seed = Array.from(identity.signingSeed).join(',');
    return { localStorageItems: localStorage.length, keyFileProtected: keyFile !== undefined && isPassphraseProtected(keyFile), seedInDatabase: (await everyValue(DATABASE)).includes(seed) };
  },
};

(globalThis as { herald?: DurablePage }).herald = page;
