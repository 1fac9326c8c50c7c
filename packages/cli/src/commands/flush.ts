import { PRECEDENCES } from '@herald/core';
import { defineCommand } from '../command.js';
import { StillPending } from '../errors.js';
import { writeStderr } from '../io.js';
import { NODE_FLAGS, VERBOSE_FLAG, startNode } from '../node-runtime.js';
import { durationFlag } from '../duration.js';

const NOW_DEADLINE_MS = 10_000;

export const flush = defineCommand({
  name: 'flush',
  summary: 'carry on delivering the outbox until every message is acknowledged',
  synopsis: '--key KEY --via URL [--via URL …] --data-dir DIR [--wait DURATION] [--now]',
  description: `
Starts the node on DIR, delivers every pending message in its outbox (and takes
in what arrives meanwhile, acking it), and exits 0 once nothing is pending, or 3
when --wait runs out with messages still pending (they stay in the outbox).`,
  flags: {
    ...NODE_FLAGS,
    ...VERBOSE_FLAG,
    wait: { type: 'string', value: 'DURATION', description: 'how long to keep trying (default 30s)' },
    now: { type: 'boolean', description: `resend accepted messages not acknowledged within ${NOW_DEADLINE_MS / 1000} s at once, instead of after their ack deadline` },
  },
  async run({ flags }) {
    const waitSeconds = durationFlag('--wait', flags.wait, 30);
    // --now: every precedence's ack deadline taken as 10 s for this run, so what was accepted and never acknowledged
    // goes out again at once (and every 10 s, growing, while waiting), not after ROUTINE's 30 minutes.
    const now = flags.now ? { policy: { ackDeadlineMs: Object.fromEntries(PRECEDENCES.map((precedence) => [precedence, NOW_DEADLINE_MS])) } } : {};
    const running = await startNode(flags, { verbose: true, attempts: flags.verbose === true, ...now });
    try {
      const pending = await running.node.flush({ signal: AbortSignal.timeout(waitSeconds * 1000) });
      if (pending > 0) throw new StillPending(`${pending} message(s) still in the outbox, not yet acknowledged`);
      await writeStderr('outbox is empty of pending messages\n');
    } finally {
      await running.close();
    }
  },
});
