import { describe, expect, it } from 'vitest';
import { CapacityError, memoryStore, OptionsError, type InboxRecord, type OutboxRecord } from '@herald/core';

const outboxRecord = (id: string, status: OutboxRecord['status'] = 'queued'): OutboxRecord => ({
  id,
  envelope: new Uint8Array(1),
  routingTags: [],
  recipients: [],
  acked: [],
  precedence: 'ROUTINE',
  createdAt: 1,
  expiresAt: 2,
  status,
  acceptedBy: [],
  attempts: [],
  updatedAt: 1,
});
const inboxRecord = (id: string, expiresAt = 10): InboxRecord => ({ id, envelope: new Uint8Array(1), channel: 'test', receivedAt: 1, expiresAt });

describe('memoryStore bounds (as @herald/store-lmdb)', () => {
  it('refuses a new outbox id when full (CAPACITY_EXCEEDED, retryable), still replaces and deletes existing ones', async () => {
    const store = memoryStore({ maxOutbox: 2 });
    await store.putOutbox(outboxRecord('a'));
    await store.putOutbox(outboxRecord('b'));
    const error = await store.putOutbox(outboxRecord('c')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CapacityError);
    expect(error).toMatchObject({ code: 'CAPACITY_EXCEEDED', retryable: true, message: 'outbox is full: 2 records (maxOutbox)' });
    await store.putOutbox(outboxRecord('a', 'delivered'));
    expect((await store.getOutbox('a'))?.status).toBe('delivered');
    await store.deleteOutbox('b');
    await store.putOutbox(outboxRecord('c'));
    expect((await store.listOutbox()).map((record) => record.id).sort()).toEqual(['a', 'c']);
  });

  it('refuses a new message when the inbox is full without marking it seen; a duplicate still answers false', async () => {
    const store = memoryStore({ maxInbox: 2 });
    expect(await store.receive(inboxRecord('a'))).toBe(true);
    expect(await store.receive(inboxRecord('b'))).toBe(true);
    await expect(store.receive(inboxRecord('c'))).rejects.toMatchObject({ code: 'CAPACITY_EXCEEDED', message: 'inbox is full: 2 records (maxInbox)' });
    expect(await store.receive(inboxRecord('a'))).toBe(false);
    await store.removeInbox('a');
    expect(await store.receive(inboxRecord('c'))).toBe(true);
  });

  it('refuses new seen ids when the seen-set is full, until pruning frees room', async () => {
    const store = memoryStore({ maxSeen: 2 });
    expect(await store.markSeen('a', 10)).toBe(true);
    expect(await store.receive(inboxRecord('b'))).toBe(true);
    await expect(store.markSeen('c', 10)).rejects.toMatchObject({ code: 'CAPACITY_EXCEEDED', message: 'seen-set is full: 2 ids (maxSeen)' });
    await expect(store.receive(inboxRecord('c'))).rejects.toMatchObject({ code: 'CAPACITY_EXCEEDED' });
    expect(await store.markSeen('a', 10)).toBe(false);
    expect(await store.pruneSeen(11)).toBe(1); // a; b is in the inbox
    expect(await store.markSeen('c', 10)).toBe(true);
    expect(store.seenCount).toBe(2);
  });

  it.each([
    [{ maxOutbox: 0 }, 'maxOutbox: expected a positive integer, got 0'],
    [{ maxInbox: 1.5 }, 'maxInbox: expected a positive integer, got 1.5'],
    [{ maxSeen: Number.NaN }, 'maxSeen: expected a positive integer, got NaN'],
  ])('checks its bounds: %o', (init, message) => {
    expect(() => memoryStore(init)).toThrow(OptionsError);
    expect(() => memoryStore(init)).toThrow(message);
  });
});
