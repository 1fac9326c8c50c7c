import { inspect as outline, type EnvelopeOutline } from '@herald/core';
import { defineCommand } from '../command.js';
import { readEnvelope } from '../envelope-input.js';
import { writeStdout } from '../io.js';

export const inspect = defineCommand({
  name: 'inspect',
  summary: 'show what an outsider can see of an envelope, without any key',
  synopsis: '[--json] < message.env',
  description: `
Reads an envelope (binary or armored) from stdin and prints everything a relay
or an eavesdropper learns from it: version, size, id, expiry, ephemeral key,
one routing tag per recipient and the size of the encrypted part; for version 2
also each recipient's prekey kind and id, and whether the envelope is
post-quantum (every prekey xwing). The sender,
the precedence and the content are not visible here, by design.`,
  flags: {
    json: { type: 'boolean', description: 'print one JSON object instead of key: value lines' },
  },
  async run({ flags }) {
    const envelope = await readEnvelope();
    const seen = outline(envelope);
    await writeStdout(flags.json ? `${JSON.stringify(seen, null, 2)}\n` : asLines(seen));
  },
});

function asLines(seen: EnvelopeOutline): string {
  const lines = [
    `version: ${seen.version}`,
    `size: ${seen.totalBytes} bytes`,
    `id: ${seen.id}`,
    `expires: ${seen.expires.toISOString()}`,
    `ephemeral-key: ${seen.ephemeralPublicKey}`,
    `recipients: ${seen.routingTags.length}`,
    ...seen.routingTags.map((tag) => `routing-tag: ${tag}`),
    `encrypted: ${seen.encryptedBytes} bytes`,
    ...(seen.prekeys ?? []).map((prekey) => `prekey: ${prekey.kind} ${prekey.id}`),
    `post-quantum: ${seen.postQuantum ? 'yes' : 'no'}`,
  ];
  return `${lines.join('\n')}\n`;
}
