import { spell } from '@herald/trust';
import { defineCommand } from '../command.js';
import { writeStdout } from '../io.js';
import { loadCardOrKey } from '../keys.js';
import { PASSPHRASE_ENV } from '../passphrase.js';

export const fingerprint = defineCommand({
  name: 'fingerprint',
  summary: 'print the fingerprint of a card file, card text or key file',
  synopsis: 'CARD [--passphrase-file FILE]',
  description: `
Prints the fingerprint (five groups of five characters) that identifies CARD:
a card file, the one-line herald-card: text, or a secret key file. Compare it
with your contact over another channel before trusting a card. --aloud adds
each group spelled in words, for reading over a poor voice line.`,
  args: ['CARD'],
  flags: {
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase when CARD is a protected key file (else ${PASSPHRASE_ENV})` },
    aloud: { type: 'boolean', description: 'also spell each group in words (alfa, bravo, …)' },
  },
  async run({ flags, args }) {
    const found = await loadCardOrKey(args[0] ?? '', flags['passphrase-file']);
    await writeStdout(flags.aloud ? `${found.fingerprint}\n${spell(found.fingerprint).map((words) => `  ${words}`).join('\n')}\n` : `${found.fingerprint}\n`);
  },
});
