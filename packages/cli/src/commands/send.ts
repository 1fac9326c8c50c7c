import { FORWARD_SECRECY_MODES, PRECEDENCES, parsePrecedence, type ForwardSecrecy, DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, DEFAULT_MAX_PLAINTEXT_BYTES, type Precedence, type OutboundStatus, type SendHandle } from '@herald/core';
import { defineCommand } from '../command.js';
import { durationFlag, formatDuration } from '../duration.js';
import { CliError, StillPending, UsageError } from '../errors.js';
import { readStdin, writeStdout } from '../io.js';
import { loadCard } from '../keys.js';
import { NODE_FLAGS, VERBOSE_FLAG, startNode, type RunningNode } from '../node-runtime.js';

export const send = defineCommand({
  name: 'send',
  summary: 'send a message and wait for the recipient to acknowledge it',
  synopsis: '--key KEY --to CONTACT --via URL [--via URL …] --data-dir DIR [options] [MESSAGE]',
  description: `
Seals MESSAGE (or stdin) for the contact, stores it durably in the outbox, and
sends it over the channels by policy until the recipient's signed end-to-end
ack arrives. --to takes a card file (which is then kept in DIR's contacts), a
contact's label or fingerprint. Exit 0 once delivered; exit 3 if --wait runs
out first: the message stays in the outbox, and any later send, listen or flush
with the same DIR carries on with it. Prints the message id on stdout.`,
  flags: {
    ...NODE_FLAGS,
    ...VERBOSE_FLAG,
    to: { type: 'string', value: 'CONTACT', multiple: true, required: true, description: 'card file, label or fingerprint (repeatable)' },
    precedence: { type: 'string', value: 'LEVEL', description: 'flash, immediate, priority or routine (default routine)' },
    ttl: { type: 'string', value: 'DURATION', description: `time to live, e.g. 30m, 1h, 7d (default ${formatDuration(DEFAULT_TTL_SECONDS)})` },
    wait: { type: 'string', value: 'DURATION', description: 'how long to wait for the end-to-end ack (default 30s; 0 = do not wait)' },
    'content-type': { type: 'string', value: 'TYPE', description: 'content type (default text/plain; application/vnd.herald.revocation sends a revocation list file)' },
    compact: { type: 'boolean', description: 'seal for cipher groups (manual:): key-id sender, unpadded, text coded; the recipient needs your card' },
    'forward-secrecy': {
      type: 'string',
      value: 'MODE',
      description: 'required (never sealed v1: waits as awaiting-prekeys for the contact\'s prekeys, fails NO_PREKEY at expiry), preferred (default: v2 when the contact\'s prekeys are held) or off',
    },
  },
  optionalArgs: ['MESSAGE'],
  async run({ flags, args }) {
    const precedence = precedenceFlag(flags.precedence);
    const ttl = durationFlag('--ttl', flags.ttl, DEFAULT_TTL_SECONDS);
    if (ttl > MAX_TTL_SECONDS || ttl < 1) throw new UsageError(`--ttl must be between 1s and ${formatDuration(MAX_TTL_SECONDS)}`);
    const waitSeconds = durationFlag('--wait', flags.wait, 30, true);
    const forwardSecrecy = forwardSecrecyFlag(flags['forward-secrecy']);
    const payload = args[0] !== undefined ? args[0] : await readStdin(DEFAULT_MAX_PLAINTEXT_BYTES, 'message');
    const cardFiles = (flags.to ?? []).filter((value) => !looksLikeName(value));
    const running = await startNode(flags, { extraContacts: cardFiles, verbose: true, attempts: flags.verbose === true });
    try {
      const targets = await Promise.all((flags.to ?? []).map(async (value) => (looksLikeName(value) ? value : loadCard(value))));
      const contentType = flags['content-type'];
      const handle = await running.node.send(targets, payload, { precedence, ttl, ...(contentType ? { contentType } : {}), ...(flags.compact ? { compact: true } : {}), ...(forwardSecrecy ? { forwardSecrecy } : {}) });
      await writeStdout(`${handle.id}\n`);
      const status = waitSeconds === 0 ? await handedOff(running, handle) : await handle.settled({ signal: AbortSignal.timeout(waitSeconds * 1000) });
      if (status === 'delivered') return;
      if (status === 'expired' || status === 'failed') {
        const record = (await running.node.outbox()).find((item) => item.id === handle.id);
        throw new CliError('UNDELIVERED', `${handle.id} ${status}${record?.failure ? `: ${record.failure.code}: ${record.failure.message}` : ''}`);
      }
      throw new StillPending(`${handle.id} is in the outbox (${status}), not yet acknowledged; run herald flush or listen with --data-dir ${running.dir.path} to carry on`);
    } finally {
      await running.close();
    }
  },
});

/** How long `--wait 0` gives the channels to take the message before the node stops. */
const HANDOFF_MS = 15_000;

/**
 * `--wait 0` does not wait for the ack, but it does wait until a channel has taken the message (or every channel
 * was tried once, or HANDOFF_MS): stopping the node sooner would leave it in the outbox, sent nowhere.
 */
async function handedOff(running: RunningNode, handle: SendHandle): Promise<OutboundStatus> {
  const tried = new Set<string>();
  let taken = false;
  let wake = (): void => undefined;
  const unsubscribe = running.node.subscribe((event) => {
    if (event.type === 'attempt' && event.id === handle.id) {
      tried.add(event.channel);
      taken ||= event.outcome === 'accepted';
      wake();
    }
  });
  const unwatch = handle.onStatus(() => wake());
  try {
    const deadline = Date.now() + HANDOFF_MS;
    while (handle.status === 'queued' && (taken || tried.size < running.channels.length) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return handle.status;
  } finally {
    unsubscribe();
    unwatch();
  }
}

/** Card files are paths or herald-card: text; anything else is a label or a fingerprint. */
function looksLikeName(value: string): boolean {
  return !value.startsWith('herald-card:') && !value.includes('/') && !value.endsWith('.card');
}

function forwardSecrecyFlag(value: string | undefined): ForwardSecrecy | undefined {
  if (value === undefined) return undefined;
  if (!FORWARD_SECRECY_MODES.includes(value as ForwardSecrecy)) throw new UsageError(`--forward-secrecy must be one of ${FORWARD_SECRECY_MODES.join(', ')}; got '${value}'`);
  return value as ForwardSecrecy;
}

function precedenceFlag(value: string | undefined): Precedence {
  if (value === undefined) return 'ROUTINE';
  const precedence = parsePrecedence(value);
  if (!precedence) throw new UsageError(`--precedence must be one of ${PRECEDENCES.join(', ').toLowerCase()}; got '${value}'`);
  return precedence;
}

