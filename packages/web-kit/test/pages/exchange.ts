/**
 * The page of exchange.integration.test.ts: a Herald node in the browser (core's
 * browser build, the page's WebSocket to a real relay, an in-memory store), driven
 * by the test through `globalThis.herald`. Everything crossing to the test is plain
 * data (strings and numbers), as puppeteer's evaluate requires.
 */
import { cardToText, createNode, generateIdentity, memoryStore, parseCard, sodiumBackend, type Card, type HeraldNode, type OutboundStatus, type Precedence } from '@herald/core';
import { webSocketTransport } from '@herald/transport-websocket';

export interface PageMessage {
  readonly text: string;
  readonly sender: string;
  readonly precedence: string;
  readonly envelopeVersion: number;
}

export interface ExchangePage {
  /** The page's environment, to prove what ran: libsodium's backend and whether Node's globals leaked in. */
  environment(): { sodium: string; hasProcess: boolean; hasBuffer: boolean };
  /** Creates an identity and a node talking to `relayUrl`, with one contact; returns the node's card text. */
  start(relayUrl: string, contactCard: string, label: string): Promise<string>;
  /** Sends a text to the contact; resolves with its id. */
  send(text: string, precedence: Precedence): Promise<string>;
  /** Every status each sent message went through, in order. */
  statuses(): Record<string, OutboundStatus[]>;
  /** Messages handed to the application (each acked at once), in arrival order. */
  inbox(): PageMessage[];
}

let node: HeraldNode | undefined;
let contact: Card | undefined;
const inbox: PageMessage[] = [];
const statuses: Record<string, OutboundStatus[]> = {};

const page: ExchangePage = {
  environment: () => ({ sodium: sodiumBackend(), hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined', hasBuffer: typeof (globalThis as { Buffer?: unknown }).Buffer !== 'undefined' }),
  async start(relayUrl, contactCard, label) {
    const identity = generateIdentity({ label });
    contact = parseCard(contactCard);
    node = createNode({
      identity,
      contacts: [contact],
      store: memoryStore(),
      channels: [webSocketTransport({ url: relayUrl, identity, minReconnectDelayMs: 50, maxReconnectDelayMs: 500, connectTimeoutMs: 3000, sendTimeoutMs: 5000 })],
      policy: { retryMinDelayMs: 50, maxBackoffMs: 500 },
    });
    node.subscribe((event) => {
      if (event.type === 'status') (statuses[event.id] ??= []).push(event.status);
    });
    await node.start();
    void (async () => {
      for await (const message of node.messages()) {
        inbox.push({ text: message.text, sender: message.sender.fingerprint, precedence: message.precedence, envelopeVersion: message.envelopeVersion });
        await message.ack();
      }
    })();
    return cardToText(identity.card);
  },
  async send(text, precedence) {
    if (!node || !contact) throw new Error('start the node first');
    const handle = await node.send(contact, text, { precedence });
    (statuses[handle.id] ??= []).unshift(handle.status);
    return handle.id;
  },
  statuses: () => structuredClone(statuses),
  inbox: () => [...inbox],
};

(globalThis as { herald?: ExchangePage }).herald = page;
