import type { ReceivedMessage } from '@herald/core';
import { defineCommand } from '../command.js';
import { writeStderr, writeStdout } from '../io.js';
import { NODE_FLAGS, startNode, untilShutdown } from '../node-runtime.js';
import { printable } from '../text.js';
import { verifiedMarks } from '../verified.js';
import { withoutCredentials } from '../mqtt-channel.js';

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
and authority.`,
  flags: {
    ...NODE_FLAGS,
    json: { type: 'boolean', description: 'one JSON object per line' },
    contact: { type: 'string', value: 'CARD', multiple: true, description: 'add a contact card to DIR before listening (repeatable)' },
  },
  async run({ flags }) {
    const running = await startNode(flags, { extraContacts: flags.contact ?? [], verbose: !flags.json });
    const shutdown = untilShutdown();
    await writeStderr(`listening as ${running.identity.card.fingerprint} on ${(flags.via ?? []).map(withoutCredentials).join(', ')}\n`);
    try {
      for await (const message of running.node.messages({ signal: shutdown.controller.signal })) {
        // Read per message: a contact verified (or rotated) while listening shows at once.
        const verified = (await verifiedMarks(running.dir.path)).has(message.sender.fingerprint);
        await writeStdout(flags.json ? `${JSON.stringify(asJson(message, verified))}\n` : asText(message, verified));
        await message.ack();
      }
    } finally {
      await running.close();
    }
  },
});

function isText(message: ReceivedMessage): boolean {
  return message.contentType.startsWith('text/');
}

function asJson(message: ReceivedMessage, verified: boolean): Record<string, string | boolean> {
  return {
    id: message.id,
    sender: message.sender.fingerprint,
    ...(message.sender.label !== undefined ? { label: message.sender.label } : {}),
    verified,
    ...(message.trust ? { role: message.trust.role, authority: message.trust.authority, authorityLabel: message.trust.authorityLabel } : {}),
    channel: message.channel,
    precedence: message.precedence,
    contentType: message.contentType,
    created: message.created.toISOString(),
    ...(isText(message) ? { text: message.text } : { base64: Buffer.from(message.plaintext).toString('base64') }),
  };
}

function asText(message: ReceivedMessage, verified: boolean): string {
  const marks = [verified ? 'verified' : '', message.trust ? `certified${message.trust.role ? ` ${printable(message.trust.role)}` : ''} by ${printable(message.trust.authorityLabel)}` : ''].filter(Boolean);
  const who = `${message.sender.label ? `${printable(message.sender.label)} ` : ''}[${message.sender.fingerprint}]${marks.length > 0 ? ` (${marks.join(', ')})` : ''}`;
  const body = isText(message) ? message.text.split('\n').map(printable).join('\n') : `(${message.plaintext.length} bytes of ${printable(message.contentType)})`;
  return `${message.precedence} from ${who} via ${message.channel} at ${message.created.toISOString()}\n${body}\n\n`;
}
