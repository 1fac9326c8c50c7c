import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '@herald/core';
import { transportComplianceSuite } from '@herald/transport-compliance';
import { dirTransport, type DirTransportInit } from '@herald/transport-dir';

/**
 * The compliance suite against real folders on the local disk: two
 * dirTransport instances (sender, receiver) on one fresh temp folder per case.
 * Cutting the medium renames the folder away, as unmounting a stick would.
 */
transportComplianceSuite(
  'dir',
  async ({ receiverTags, identities }) => {
    // The context's identities are the ones behind its tags (adapters that authenticate rely on it).
    if (toHex(identities.receiver.card.routingTag) !== receiverTags[0]) throw new Error('setup context: identities do not match the tags');
    const base = await mkdtemp(join(tmpdir(), 'herald-dir-compliance-'));
    const spool = join(base, 'spool');
    // A small limit keeps the at-the-limit and oversize cases quick; a short poll keeps waits short.
    const init: DirTransportInit = { path: spool, pollIntervalMs: 25, maxEnvelopeBytes: 256 * 1024 };
    return {
      sender: dirTransport(init),
      receiver: dirTransport(init),
      reopenReceiver: () => dirTransport(init),
      disrupt: () => rename(spool, `${spool}.unplugged`),
      restore: () => rename(`${spool}.unplugged`, spool),
      teardown: () => rm(base, { recursive: true, force: true }),
    };
  },
  { settleMs: 200 },
);
