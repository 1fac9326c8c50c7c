import { defineCommand } from '../command.js';
import { writeStderr, writeStdout } from '../io.js';
import { formatMessage } from '../message-output.js';
import { NODE_FLAGS, VERBOSE_FLAG, startNode, untilShutdown } from '../node-runtime.js';
import { withoutCredentials } from '../mqtt-channel.js';
import { serveNodeMetrics, type NodeMetricsServer } from '../node-metrics-server.js';
import { logEvent, nodeLogger } from '../node-log.js';
import { UsageError } from '../errors.js';
import type { NodeEvent } from '@herald/core';

export const listen = defineCommand({
  name: 'listen',
  summary: 'receive messages, print each once, and acknowledge them end to end',
  synopsis: '--key KEY --via URL [--via URL …] --data-dir DIR [--json] [--contact CARD …]',
  description: `
Collects envelopes for your routing tag from every channel, opens and verifies
them (only contacts in DIR are accepted), sends the signed end-to-end acks, and
prints each message once; a message is removed from the durable inbox only
after it was printed. Keeps delivering DIR's own outbox meanwhile. Runs until
SIGINT or SIGTERM, then shuts down cleanly. With --json, one line per message:
id, sender fingerprint, label, channel, precedence, content type, created, and
text (UTF-8 content) or base64 (anything else). A sender verified in person
(herald contacts verify) is marked "verified"; a certified one shows its role
and authority. With --metrics HOST:PORT (a bare PORT means 127.0.0.1), serves
Prometheus metrics there: refusals by code and channel, channel health and
failovers, outbox depth and oldest unacknowledged message by precedence, ack
latency (docs/operations.md, "Monitoring and alerts"). With --log-format json,
the node's events go to stderr as JSON lines (pino) instead of text.`,
  flags: {
    ...NODE_FLAGS,
    ...VERBOSE_FLAG,
    json: { type: 'boolean', description: 'one JSON object per line' },
    contact: { type: 'string', value: 'CARD', multiple: true, description: 'add a contact card to DIR before listening (repeatable)' },
    'log-format': { type: 'string', value: 'FORMAT', description: 'text (default: lines for people) or json (pino JSON lines on stderr)' },
    metrics: { type: 'string', value: 'HOST:PORT', description: 'serve Prometheus metrics at http://HOST:PORT/metrics, e.g. 127.0.0.1:9464' },
  },
  async run({ flags }) {
    const format = flags['log-format'] ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--log-format: expected text or json, got ${JSON.stringify(format)}`);
    const log = format === 'json' ? nodeLogger() : undefined;
    const running = await startNode(flags, { extraContacts: flags.contact ?? [], verbose: !flags.json && !log, attempts: flags.verbose === true, ...(log ? { onEvent: (event: NodeEvent) => logEvent(log, event) } : {}) });
    const shutdown = untilShutdown();
    let metrics: NodeMetricsServer | undefined;
    try {
      if (flags.metrics !== undefined) metrics = await serveNodeMetrics(running, flags.metrics);
    } catch (error) {
      await running.close();
      throw error;
    }
    if (metrics) await writeStderr(`metrics on ${metrics.url}\n`);
    await writeStderr(`listening as ${running.identity.card.fingerprint} on ${(flags.via ?? []).map(withoutCredentials).join(', ')}\n`);
    try {
      for await (const message of running.node.messages({ signal: shutdown.controller.signal })) {
        await writeStdout(await formatMessage(message, running.dir.path, flags.json === true));
        await message.ack();
      }
    } finally {
      await metrics?.close();
      await running.close();
    }
  },
});
