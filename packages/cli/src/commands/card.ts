import { cardToText } from '@herald/core';
import { defineCommand } from '../command.js';
import { writeStderr, writeStdout } from '../io.js';
import { loadIdentity } from '../keys.js';
import { PASSPHRASE_ENV } from '../passphrase.js';
import { epochNote } from './keygen.js';

export const card = defineCommand({
  name: 'card',
  summary: 'print the contact card of a secret key file',
  synopsis: 'KEY_FILE [--passphrase-file FILE]',
  description: `
Prints the one-line contact card (herald-card:…) of the identity in KEY_FILE,
to paste wherever a card file would do. The card holds only public keys.
A version-2 card (keygen or init --epoch) is said so on stderr, with its epoch.`,
  args: ['KEY_FILE'],
  flags: {
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for a protected key (else ${PASSPHRASE_ENV})` },
  },
  async run({ flags, args }) {
    const identity = await loadIdentity(args[0] ?? '', flags['passphrase-file']);
    await writeStdout(`${cardToText(identity.card)}\n`);
    const note = epochNote(identity.card);
    if (note) await writeStderr(`${note}\n`);
  },
});
