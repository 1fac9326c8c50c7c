import type { ContactPrekeys, InboxRecord, OutboxRecord } from '@herald/core';

/**
 * msgpack hands a stored Uint8Array back as a Node Buffer, which deep-equals a
 * Uint8Array of the same bytes nowhere (vitest, node:assert, structuredClone
 * comparisons) and behaves differently (`slice` shares memory). Copying into a
 * plain Uint8Array also detaches the bytes from any buffer the decoder reuses.
 */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes);
}

export function outboxFromStorage(stored: OutboxRecord): OutboxRecord {
  const record = { ...stored, envelope: plainBytes(stored.envelope) };
  return stored.held ? { ...record, held: { ...stored.held, payload: plainBytes(stored.held.payload) } } : record;
}

export function contactPrekeysFromStorage(stored: ContactPrekeys): ContactPrekeys {
  return { ...stored, prekeys: stored.prekeys.map(plainBytes) };
}

export function inboxFromStorage(stored: InboxRecord): InboxRecord {
  return { ...stored, envelope: plainBytes(stored.envelope) };
}

/** Oldest first by `time`, ties broken by id, exactly as `memoryStore()` orders. */
export function byAge<T extends { readonly id: string }>(time: (item: T) => number): (a: T, b: T) => number {
  return (a, b) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** LMDB's default key size limit is 1978 bytes, and ordered-binary keys end at a NUL: refuse early with a clear message. */
const MAX_ID_BYTES = 1024;

/**
 * Whether `id` can be a key at all. Reads and deletes of an id that cannot be
 * stored answer "not there" without touching LMDB: a key it refuses throws
 * from inside its write queue, after the batch is scheduled.
 */
export function storableId(id: unknown): id is string {
  return typeof id === 'string' && id !== '' && !id.includes('\0') && Buffer.byteLength(id) <= MAX_ID_BYTES;
}

export function checkId(id: unknown, what: string): asserts id is string {
  if (typeof id !== 'string' || id === '') throw new TypeError(`${what}: expected a non-empty string id, got ${typeof id === 'string' ? '""' : typeof id}`);
  if (id.includes('\0')) throw new TypeError(`${what}: id must not contain a NUL character`);
  if (Buffer.byteLength(id) > MAX_ID_BYTES) throw new TypeError(`${what}: id longer than ${MAX_ID_BYTES} bytes`);
}

export function checkEnvelope(envelope: unknown, what: string): void {
  if (!(envelope instanceof Uint8Array)) throw new TypeError(`${what}: envelope must be a Uint8Array`);
}

export function checkTime(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${what}: expected a number of ms, got ${String(value)}`);
}
