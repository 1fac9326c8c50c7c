import fc from 'fast-check';
import { expect } from 'vitest';
import { memoryStore, type HeraldStore } from '@herald/core';
import { bytes, inboxRecord, outboxRecord } from './helpers.js';

// Random mutations for model tests: a store against memoryStore (lmdb-store.test.ts, and indexedDbStore in
// packages/web-kit/test/indexeddb-store.integration.test.ts).
const ids = ['a', 'b', 'c', 'd', 'e'];

/** One store mutation over a few ids, so that sequences collide often. */
export const storeMutation = fc.oneof(
  fc.record({ op: fc.constant('putOutbox' as const), id: fc.constantFrom(...ids), createdAt: fc.integer({ min: 0, max: 4 }), status: fc.constantFrom('queued' as const, 'accepted' as const) }),
  fc.record({ op: fc.constant('deleteOutbox' as const), id: fc.constantFrom(...ids) }),
  fc.record({ op: fc.constant('receive' as const), id: fc.constantFrom(...ids), receivedAt: fc.integer({ min: 0, max: 4 }), expiresAt: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ op: fc.constant('markSeen' as const), id: fc.constantFrom(...ids), expiresAt: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ op: fc.constant('removeInbox' as const), id: fc.constantFrom(...ids) }),
  fc.record({ op: fc.constant('pruneSeen' as const), now: fc.integer({ min: 0, max: 11 }) }),
);
export type StoreMutation = typeof storeMutation extends fc.Arbitrary<infer T> ? T : never;

/** Applies a mutation; resolves with the store's answer. */
export function applyMutation(store: HeraldStore, step: StoreMutation): Promise<unknown> {
  switch (step.op) {
    case 'putOutbox':
      return store.putOutbox(outboxRecord(step.id, { createdAt: step.createdAt, status: step.status, envelope: bytes(20 + step.createdAt, step.id.charCodeAt(0)) }));
    case 'deleteOutbox':
      return store.deleteOutbox(step.id);
    case 'receive':
      return store.receive(inboxRecord(step.id, { receivedAt: step.receivedAt, expiresAt: step.expiresAt }));
    case 'markSeen':
      return store.markSeen(step.id, step.expiresAt);
    case 'removeInbox':
      return store.removeInbox(step.id);
    case 'pruneSeen':
      return store.pruneSeen(step.now);
  }
}

/**
 * Random sequences of batches of mutations, each batch issued at once to memoryStore and to `open()`'s store: the
 * answers must match, and `compare` checks the states after each batch.
 */
export function agreesWithMemoryStore<S extends HeraldStore>(open: () => Promise<S>, compare: (subject: S, reference: ReturnType<typeof memoryStore>) => Promise<void>, numRuns: number): Promise<void> {
  return fc.assert(
    fc.asyncProperty(fc.array(fc.array(storeMutation, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), async (batches) => {
      const reference = memoryStore();
      const subject = await open();
      try {
        for (const batch of batches) {
          const expected = await Promise.all(batch.map((step) => applyMutation(reference, step)));
          const actual = await Promise.all(batch.map((step) => applyMutation(subject, step)));
          expect(actual).toStrictEqual(expected);
          await compare(subject, reference);
        }
      } finally {
        await subject.close();
      }
    }),
    { numRuns },
  );
}
