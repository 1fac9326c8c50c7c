// A drill node: one Herald node as its own process, as an embedding application runs it.
//   node node-main.js CONFIG.json
// Commands arrive as JSON lines on stdin, events leave as JSON lines on stdout
// (protocol.ts). Lines go out with writeSync, so a SIGKILL cannot lose a line
// already reported: the orchestrator judges exactly-once from them, run by run.
import { readFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createNode, isHeraldError, parseCard, readSecretKeyFile, toHex, type Transport } from '@herald/core';
import { readSpool, type CourierTransport } from '@herald/courier';
import { lmdbPrekeySecretStore, lmdbStore } from '@herald/store-lmdb';
import { captured } from './capture.js';
import { channelFor } from './channels.js';
import { keyOf, payloadFor, type NodeCommand, type NodeConfig, type NodeEventLine } from './protocol.js';
import { counted } from './counting.js';
import { drillTrust } from './trust.js';

const MAX_LINE = 64 * 1024;
const say = (event: NodeEventLine): void => void writeSync(1, `${JSON.stringify(event)}\n`);

const config = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as NodeConfig;
const identity = await readSecretKeyFile(config.keyFile);
const contacts = Object.fromEntries(Object.entries(config.contacts).map(([name, text]) => [name, parseCard(text)]));
const store = await lmdbStore({ path: config.storePath });
const bytes = { sent: {} as Record<string, number>, received: {} as Record<string, number> };
const transports: Transport[] = config.channels.map((channel) => {
  const transport = counted(channelFor(channel, identity, config.policy), bytes);
  return config.capturePath ? captured(transport, config.capturePath) : transport;
});
const prekeys = config.prekeys ? await lmdbPrekeySecretStore({ path: config.prekeys.path, identity }) : undefined;
const ttl = config.prekeys?.ttlSeconds ?? 3600;
const trust = await drillTrust(config, identity.card, contacts, say);
const node = createNode({
  identity,
  contacts: Object.values(contacts),
  store,
  channels: transports,
  ...(trust ? { trust: trust.trust } : {}),
  ...(prekeys && config.prekeys ? { prekeys, prekeyRotation: config.prekeys.rotation } : {}),
  policy: {
    ackDeadlineMs: config.policy.ackDeadlineMs,
    sendTimeoutMs: config.policy.sendTimeoutMs,
    retryMinDelayMs: config.policy.retryMinDelayMs,
    maxBackoffMs: config.policy.maxBackoffMs,
    breakerCooldownMs: config.policy.breakerCooldownMs,
    // A drill checks delivery; one retry per channel keeps a dead link from holding a message long.
    retriesPerChannel: 1,
  },
});
node.subscribe((event) => {
  if (event.type === 'status') say({ ev: 'status', id: event.id, status: event.status, ...(event.channel ? { channel: event.channel } : {}), at: event.at });
  if (event.type === 'attempt') say({ ev: 'attempt', id: event.id, channel: event.channel, outcome: event.outcome, ...(event.code ? { code: event.code } : {}), at: Date.now() });
});
for (const transport of transports) {
  transport.subscribe((event) => {
    if (event.type === 'health') say({ ev: 'health', channel: transport.name, state: event.health.state, ...(event.health.reason ? { reason: event.health.reason } : {}), at: Date.now() });
  });
}
await node.start();
trust?.watch();
say({ ev: 'ready', at: Date.now() });

const counters = setInterval(() => say({ ev: 'bytes', ...bytes, at: Date.now() }), 1000);
counters.unref();

// The receiving application: report each hand-out, then ack it.
void (async () => {
  for await (const message of node.messages()) {
    const key = keyOf(message.text) ?? `unknown-${message.id}`;
    say({ ev: 'got', key, id: message.id, channel: message.channel, precedence: message.precedence, at: Date.now() });
    await message.ack();
    say({ ev: 'ack', key, at: Date.now() });
  }
})();

async function run(command: NodeCommand): Promise<void> {
  if (command.cmd === 'send') {
    const sentAt = Date.now();
    try {
      const cards = command.to.map((name) => contacts[name] ?? name);
      const handle = await node.send(cards, payloadFor(command.key, command.size), { precedence: command.precedence, ttl });
      say({ ev: 'enqueued', key: command.key, id: handle.id, sentAt, at: Date.now() });
    } catch (error) {
      say({ ev: 'send-failed', key: command.key, code: isHeraldError(error) ? error.code : 'ERROR', at: Date.now() });
    }
  } else if (command.cmd === 'publish-revocations') {
    if (!trust) throw new Error('publish-revocations: this node has no trust policy');
    await trust.publish(node, command.list, command.except);
  } else if (command.cmd === 'take') {
    // A courier arrived with the other node's bundle spool: take in what is for us, as `herald bundle import` would.
    const bundle = transports.find((transport) => transport.name === 'bundle') as CourierTransport | undefined;
    const entries = await readSpool(command.spool, { tags: new Set([toHex(identity.card.routingTag)]), limit: 10_000 });
    const outcome = bundle ? await bundle.take(entries.map((entry) => entry.bytes)) : { delivered: 0, failed: entries.length };
    say({ ev: 'taken', ...outcome, at: Date.now() });
  } else {
    const records = (await node.outbox()).map((record) => ({
      id: record.id,
      status: record.status,
      accepted: record.attempts.filter((attempt) => attempt.outcome === 'accepted').length,
      failed: record.attempts.filter((attempt) => attempt.outcome === 'failed').length,
      channels: [...new Set(record.attempts.filter((attempt) => attempt.outcome === 'accepted').map((attempt) => attempt.channel))],
    }));
    say({ ev: 'outbox', records, at: Date.now() });
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (line.length > MAX_LINE) return say({ ev: 'error', message: 'command line too long', at: Date.now() });
  let command: NodeCommand;
  try {
    command = JSON.parse(line) as NodeCommand;
  } catch {
    return say({ ev: 'error', message: 'unreadable command', at: Date.now() });
  }
  run(command).catch((error: unknown) => say({ ev: 'error', message: (error as Error).message, at: Date.now() }));
});
// The orchestrator went away (stdin closed) or asked us to stop: stop cleanly.
const shutdown = (): void => {
  clearInterval(counters);
  void node
    .stop()
    .then(() => prekeys?.close())
    .then(() => store.close())
    .finally(() => process.exit(0));
};
lines.on('close', shutdown);
process.once('SIGTERM', shutdown);
