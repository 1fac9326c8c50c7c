/** The console's DOM: every text goes in through textContent, so a contact's label can never inject markup. */
import type { Card, TransportHealth } from '@herald/core';

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page lacks #${id}`);
  return element as T;
}

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

export function showError(id: string, error: unknown): void {
  byId(id).textContent = error === undefined ? '' : error instanceof Error ? error.message : String(error);
}

export function setNodeStatus(state: 'locked' | 'starting' | 'running', fingerprint = ''): void {
  const badge = byId('node-status');
  badge.textContent = state;
  badge.className = `badge ${state === 'running' ? 'running' : 'locked'}`;
  byId('fingerprint').textContent = fingerprint;
}

export function renderRelays(relays: ReadonlyArray<{ url: string; health: TransportHealth }>): void {
  const body = byId<HTMLTableElement>('relays').tBodies[0]!;
  body.replaceChildren();
  for (const { url, health } of relays) {
    const row = body.insertRow();
    row.dataset.relay = url;
    cell(row, url);
    cell(row, health.state, health.state).dataset.health = health.state;
    cell(row, health.reason ?? '');
  }
}

export function renderContacts(contacts: readonly Card[]): void {
  const list = byId('contacts');
  const to = byId<HTMLSelectElement>('to');
  list.replaceChildren();
  to.replaceChildren();
  for (const card of contacts) {
    const item = document.createElement('li');
    item.textContent = `${card.label} [${card.fingerprint}]`;
    list.append(item);
    to.append(new Option(card.label, card.fingerprint));
  }
}

/** One row per message id, updated in place as its status changes. */
export function showOutboxRow(id: string, to: string, precedence: string, status: string, text?: string): void {
  const body = byId<HTMLTableElement>('outbox').tBodies[0]!;
  let row = Array.from(body.rows).find((each) => each.dataset.id === id);
  if (!row) {
    row = body.insertRow(0);
    row.dataset.id = id;
    cell(row, text ?? `${id.slice(0, 8)}…`);
    cell(row, to);
    cell(row, precedence, precedence);
    cell(row, status);
  }
  row.cells[3]!.textContent = status;
  row.dataset.status = status;
}

export function showInboxItem(from: string, precedence: string, text: string, at: Date): void {
  const item = document.createElement('li');
  const head = document.createElement('strong');
  head.textContent = `${precedence} from ${from} at ${at.toLocaleTimeString()}: `;
  head.className = precedence;
  item.append(head, document.createTextNode(text));
  byId('inbox').prepend(item);
}
