import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InboxRecord, OutboxRecord } from '@herald/core';

/** Temporary directories under os.tmpdir(), removed by `cleanup()` (call it in afterEach). */
export function tempDirs(): { make(): Promise<string>; cleanup(): Promise<void> } {
  const made: string[] = [];
  return {
    async make() {
      const dir = await mkdtemp(join(tmpdir(), 'herald-store-lmdb-'));
      made.push(dir);
      return dir;
    },
    async cleanup() {
      await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

export function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let index = 0; index < length; index++) out[index] = (seed * 131 + index * 17) & 0xff;
  return out;
}

export function outboxRecord(id: string, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    id,
    envelope: bytes(64, id.length + id.charCodeAt(0)),
    routingTags: ['a1b2'],
    recipients: ['FP-BOB'],
    acked: [],
    precedence: 'ROUTINE',
    createdAt: 1_000,
    expiresAt: 9_000,
    status: 'queued',
    acceptedBy: [],
    attempts: [],
    updatedAt: 1_000,
    ...overrides,
  };
}

export function inboxRecord(id: string, overrides: Partial<InboxRecord> = {}): InboxRecord {
  return { id, envelope: bytes(48, id.charCodeAt(0)), channel: 'dir', receivedAt: 2_000, expiresAt: 5_000, ...overrides };
}
