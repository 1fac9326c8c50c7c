import { Readable } from 'node:stream';
import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { envelopeId, type InboundEnvelope } from '@herald/core';
import { collector } from '../src/collector.js';
import { healthTracker } from '../src/health.js';
import { resolveEmailInit } from '../src/init.js';
import { envelope, party, tagOf } from './helpers.js';

/**
 * The collector's judgement of a mail against an IMAP client that behaves as
 * imapflow does when its connection closes under a download: the download
 * answers an empty object, not an error. The integration tests meet this only
 * by chance (a Dovecot restart at the right moment); here it is forced.
 */
const init = resolveEmailInit({ address: 'bob@mission.example', imap: { host: '127.0.0.1', security: 'none' } });

interface FakeMailbox {
  readonly client: ImapFlow;
  downloads: number;
  deleted: string[];
}

/** One mail, UID 7, an application/octet-stream part holding `bytes`; `dropOnDownload` closes the connection as the download starts. */
function mailbox(bytes: Uint8Array, dropOnDownload: boolean): FakeMailbox {
  const deleted: string[] = [];
  const client = {
    usable: true,
    capabilities: new Map([['UIDPLUS', true]]),
    search: async () => [7],
    fetchAll: async () => [{ uid: 7, bodyStructure: { type: 'application/octet-stream', part: '1', size: 2 * bytes.length } }],
    download: async () => {
      state.downloads++;
      if (dropOnDownload) {
        client.usable = false;
        return {};
      }
      return { content: Readable.from([Buffer.from(bytes)]) };
    },
    messageDelete: async (range: string) => {
      deleted.push(range);
      return true;
    },
  };
  // The fake has only what the collector calls; ImapFlow's full surface is not imitated.
  const state: FakeMailbox = { client: client as unknown as ImapFlow, downloads: 0, deleted };
  return state;
}

describe('collector', () => {
  it('does not take a mail for "not ours" when the connection closed under its download: the next connection delivers it', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const bytes = envelope(alice, bob);
    const offered: InboundEnvelope[] = [];
    const work = collector(init, healthTracker({ smtp: false, imap: true }), [tagOf(bob)], async (inbound) => void offered.push(inbound), () => true);

    const cut = mailbox(bytes, true);
    await expect(work.scan(cut.client, '1')).rejects.toThrow(/connection was lost/);
    expect(offered).toEqual([]);
    expect(cut.deleted).toEqual([]);

    const again = mailbox(bytes, false);
    await work.scan(again.client, '1');
    await work.drain();
    expect(offered.map((inbound) => envelopeId(inbound.bytes))).toEqual([envelopeId(bytes)]);
    expect(again.deleted).toEqual(['7']);
  });

  it('remembers a mail that holds no envelope of ours, judged on a live connection, and never downloads or touches it again', async () => {
    const [alice, bob, carol] = [party('alice'), party('bob'), party('carol')];
    const forCarol = envelope(alice, carol);
    const offered: InboundEnvelope[] = [];
    const work = collector(init, healthTracker({ smtp: false, imap: true }), [tagOf(bob)], async (inbound) => void offered.push(inbound), () => true);
    const box = mailbox(forCarol, false);
    await work.scan(box.client, '1');
    await work.scan(box.client, '1');
    await work.drain();
    expect(box.downloads).toBe(1);
    expect(offered).toEqual([]);
    expect(box.deleted).toEqual([]);
  });
});
