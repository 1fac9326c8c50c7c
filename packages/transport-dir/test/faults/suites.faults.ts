import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transportComplianceSuite } from '@herald/transport-compliance';
import { dirTransport, type DirTransportInit } from '@herald/transport-dir';
import { FAULTS, faulty, type FaultMemory } from './faulty.js';

// One compliance suite per fault, each over real temp folders; run by ../compliance-faults.test.ts, not by the main run.
for (const fault of FAULTS) {
  transportComplianceSuite(
    `fault=${fault}`,
    async ({ strangerTags }) => {
      const base = await mkdtemp(join(tmpdir(), `herald-fault-${fault}-`));
      const spool = join(base, 'spool');
      const init: DirTransportInit = { path: spool, pollIntervalMs: 25, maxEnvelopeBytes: 64 * 1024 };
      const memory: FaultMemory = { delivered: [], offers: 0 };
      const wrap = (): ReturnType<typeof faulty> => faulty(dirTransport(init), fault, strangerTags, memory);
      return {
        sender: wrap(),
        receiver: wrap(),
        reopenReceiver: wrap,
        disrupt: () => rename(spool, `${spool}.away`),
        restore: () => rename(`${spool}.away`, spool),
        teardown: () => rm(base, { recursive: true, force: true }),
      };
    },
    { timeoutMs: 5_000, settleMs: 200, concurrentSends: 20 },
  );
}
