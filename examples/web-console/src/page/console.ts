/**
 * The field console's behaviour: identity (IndexedDB, under a passphrase), contacts,
 * the node over one WebSocket channel per relay named in the URL (`?relay=ws://…`),
 * sending with a precedence, statuses, inbox and relay health. view.ts draws.
 */
import { cardToText, createNode, generateIdentity, parseCard, type Card, type HeraldNode, type HeraldStore, type Identity, type PrekeySecretStore, type Precedence, type Transport } from '@herald/core';
import { indexedDbPrekeySecretStore, indexedDbStore, listContacts, loadIdentity, saveContact, saveIdentity, storedIdentityText } from '@herald/store-indexeddb';
import { webSocketTransport } from '@herald/transport-websocket';
import { qrSvg, readQr } from './qr.js';
import { byId, renderContacts, renderRelays, setNodeStatus, showError, showInboxItem, showOutboxRow } from './view.js';

const DATABASE = 'herald-console';
const relayUrls = new URLSearchParams(location.search).getAll('relay');

interface Running {
  readonly identity: Identity;
  readonly store: HeraldStore;
  readonly prekeys: PrekeySecretStore;
  node: HeraldNode;
  channels: Transport[];
  contacts: Card[];
  /** Texts of the messages sent since the page loaded (the outbox keeps only sealed envelopes). */
  readonly texts: Map<string, string>;
}
let running: Running | undefined;

const labelOf = (fingerprint: string): string => running?.contacts.find((card) => card.fingerprint === fingerprint)?.label ?? fingerprint;

function drawRelays(): void {
  if (running) renderRelays(running.channels.map((channel, index) => ({ url: relayUrls[index] ?? channel.name, health: channel.health() })));
}

/** A node over fresh channels (a stopped transport is not restarted) with the current contacts. */
async function startNode(state: Running): Promise<void> {
  state.channels = relayUrls.map((url) => webSocketTransport({ url, identity: state.identity, maxReconnectDelayMs: 5_000 }));
  for (const channel of state.channels) channel.subscribe((event) => void (event.type === 'health' && drawRelays()));
  const node = createNode({ identity: state.identity, contacts: state.contacts, store: state.store, prekeys: state.prekeys, channels: state.channels });
  state.node = node;
  node.subscribe((event) => {
    if (event.type !== 'status') return;
    void node.outbox().then((records) => {
      const record = records.find((each) => each.id === event.id);
      showOutboxRow(event.id, record ? record.recipients.map(labelOf).join(', ') : '', record?.precedence ?? '', event.status, state.texts.get(event.id));
    });
  });
  await node.start();
  drawRelays();
  for (const record of await node.outbox()) showOutboxRow(record.id, record.recipients.map(labelOf).join(', '), record.precedence, record.status, state.texts.get(record.id));
  void (async () => {
    for await (const message of node.messages()) {
      showInboxItem(message.sender.label ?? message.sender.fingerprint, message.precedence, message.text, message.receivedAt);
      await message.ack();
    }
  })();
}

async function unlock(): Promise<void> {
  const passphrase = byId<HTMLInputElement>('passphrase').value;
  if (passphrase === '') throw new Error('enter a passphrase');
  setNodeStatus('starting');
  const stored = (await storedIdentityText({ name: DATABASE })) !== undefined;
  // Argon2id at the interactive cost (64 MiB): what a phone's browser gives a page without failing.
  const identity = stored ? await loadIdentity({ name: DATABASE, passphrase }) : generateIdentity({ label: byId<HTMLInputElement>('label').value || 'Field console' });
  if (!identity) throw new Error('no identity stored');
  if (!stored) await saveIdentity({ name: DATABASE, identity, passphrase, strength: 'interactive' });
  const state: Running = {
    identity,
    store: await indexedDbStore({ name: DATABASE }),
    prekeys: await indexedDbPrekeySecretStore({ name: DATABASE, identity }),
    node: undefined as unknown as HeraldNode,
    channels: [],
    contacts: await listContacts({ name: DATABASE }),
    texts: new Map(),
  };
  running = state;
  renderContacts(state.contacts);
  byId<HTMLTextAreaElement>('my-card').value = cardToText(identity.card);
  // Markup from the QR library, of our own card's text (base64url): nothing a contact controls.
  byId('my-card-qr').innerHTML = await qrSvg(cardToText(identity.card));
  await startNode(state);
  byId('identity-hint').textContent = `Unlocked: ${identity.card.label}.`;
  setNodeStatus('running', identity.card.fingerprint);
}

async function addContact(text = byId<HTMLTextAreaElement>('contact-card').value): Promise<void> {
  if (!running) throw new Error('unlock first');
  const card = parseCard(text);
  await saveContact(card, { name: DATABASE });
  running.contacts = [...running.contacts.filter((each) => each.fingerprint !== card.fingerprint), card];
  renderContacts(running.contacts);
  byId<HTMLTextAreaElement>('contact-card').value = '';
  // The node takes its contacts at creation: restart it (the outbox and inbox are in IndexedDB, nothing is lost).
  await running.node.stop();
  await startNode(running);
}

async function send(): Promise<void> {
  if (!running) throw new Error('unlock first');
  const to = running.contacts.find((card) => card.fingerprint === byId<HTMLSelectElement>('to').value);
  if (!to) throw new Error('add a contact first');
  const text = byId<HTMLTextAreaElement>('message').value;
  const precedence = byId<HTMLSelectElement>('precedence').value as Precedence;
  const handle = await running.node.send(to, text, { precedence });
  running.texts.set(handle.id, text);
  showOutboxRow(handle.id, to.label, precedence, handle.status, text);
  byId<HTMLTextAreaElement>('message').value = '';
}

async function addContactFromQr(): Promise<void> {
  const input = byId<HTMLInputElement>('contact-qr');
  const file = input.files?.[0];
  input.value = '';
  if (file) await addContact(await readQr(file));
}

/** Runs an action on an element's event, showing its failure under it instead of losing it. */
function wire(element: string, errorLine: string, action: () => Promise<void>, event = 'click'): void {
  byId(element).addEventListener(event, () => {
    showError(errorLine, undefined);
    action().catch((error: unknown) => {
      showError(errorLine, error);
      if (!running) setNodeStatus('locked');
    });
  });
}

wire('unlock', 'identity-error', unlock);
wire('add-contact', 'contact-error', () => addContact());
wire('contact-qr', 'contact-error', addContactFromQr, 'change');
wire('send', 'send-error', send);
if (relayUrls.length === 0) showError('identity-error', 'no relay named: open this page with ?relay=ws://HOST:PORT');
document.body.dataset.ready = 'true';
