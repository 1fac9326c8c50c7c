import { DEFAULT_ACK_DEADLINE_MS, type OutboxRecord } from '@herald/core';
import { defineCommand } from '../command.js';
import { dataDir } from '../data-dir.js';
import { writeStdout } from '../io.js';
import { envelopeSummary } from '../message-output.js';

export const outbox = defineCommand({
  name: 'outbox',
  summary: 'list the messages in the outbox with their status and attempts',
  synopsis: '--data-dir DIR [--json] [--all]',
  description: `
Shows pending messages (awaiting prekeys, queued or accepted, waiting for the
end-to-end ack) with how each is sealed (envelope v1, or v2 to a one-time or
medium-term prekey) and its attempts per channel; --all adds finished ones (delivered, expired,
failed) still kept. Reads the store only: no key needed, nothing is sent.`,
  flags: {
    'data-dir': { type: 'string', value: 'DIR', required: true, fallback: 'dataDir', description: 'the node data directory' },
    json: { type: 'boolean', description: 'one JSON object per line' },
    all: { type: 'boolean', description: 'include delivered, expired and failed messages' },
  },
  async run({ flags }) {
    const store = await dataDir(flags['data-dir'] ?? '').openStore({ readOnly: true });
    try {
      const records = (await store.listOutbox()).filter((record) => flags.all || record.status === 'awaiting-prekeys' || record.status === 'queued' || record.status === 'accepted');
      if (flags.json) {
        await writeStdout(records.map((record) => `${JSON.stringify(asJson(record))}\n`).join(''));
        return;
      }
      if (records.length === 0) return writeStdout(flags.all ? 'the outbox is empty\n' : 'no pending messages\n');
      await writeStdout(records.map(asText).join('\n'));
    } finally {
      await store.close();
    }
  },
});

/**
 * When a node running on this data dir (listen, flush, send) tries again, under the default policy: an accepted
 * message once its ack deadline passes, a queued one as soon as a channel takes it. Nothing for finished ones.
 */
function nextTry(record: OutboxRecord): { readonly at?: number; readonly text: string } | undefined {
  if (record.status === 'queued') return { text: 'as soon as a channel takes it (herald flush or listen)' };
  if (record.status !== 'accepted') return undefined;
  const accepted = record.attempts.filter((attempt) => attempt.outcome === 'accepted').at(-1);
  if (!accepted) return undefined;
  const at = Math.min(accepted.at + DEFAULT_ACK_DEADLINE_MS[record.precedence], record.expiresAt);
  return { at, text: `${new Date(at).toISOString()} unless acknowledged before (its ${record.precedence} ack deadline; herald flush --now resends at once)` };
}

function asJson(record: OutboxRecord): Record<string, unknown> {
  const next = nextTry(record);
  return {
    id: record.id,
    status: record.status,
    precedence: record.precedence,
    recipients: record.recipients,
    acked: record.acked,
    acceptedBy: record.acceptedBy,
    created: new Date(record.createdAt).toISOString(),
    expires: new Date(record.expiresAt).toISOString(),
    bytes: record.envelope.length,
    // Absent (awaiting prekeys) until sealed; records from before envelope v2 were all version 1.
    envelopeVersion: record.status === 'awaiting-prekeys' ? null : (record.envelopeVersion ?? 1),
    postQuantum: record.postQuantum ?? false,
    prekey: record.prekey ?? null,
    attempts: record.attempts.map((attempt) => ({ channel: attempt.channel, at: new Date(attempt.at).toISOString(), outcome: attempt.outcome, ...(attempt.code ? { code: attempt.code } : {}) })),
    ...(record.failure ? { failure: record.failure } : {}),
    // null: as soon as a channel takes it; absent: finished.
    ...(next ? { next: next.at === undefined ? null : new Date(next.at).toISOString() } : {}),
  };
}

function asText(record: OutboxRecord): string {
  const lines = [
    `${record.id}  ${record.status.toUpperCase()}  ${record.precedence}  ${record.status === 'awaiting-prekeys' ? 'not yet sealed' : `${record.envelope.length} bytes, ${envelopeSummary({ envelopeVersion: record.envelopeVersion ?? 1, prekey: record.prekey ?? null, postQuantum: record.postQuantum ?? false })}`}`,
    `  to ${record.recipients.join(', ')}${record.acked.length ? ` (acked by ${record.acked.length})` : ''}`,
    `  created ${new Date(record.createdAt).toISOString()}, expires ${new Date(record.expiresAt).toISOString()}`,
  ];
  if (record.failure) lines.push(`  failed: ${record.failure.code}: ${record.failure.message}`);
  for (const attempt of record.attempts) lines.push(`  ${new Date(attempt.at).toISOString()}  ${attempt.channel}  ${attempt.outcome}${attempt.code ? ` ${attempt.code}` : ''}`);
  const next = nextTry(record);
  if (next) lines.push(`  next: ${next.text}`);
  return `${lines.join('\n')}\n`;
}
