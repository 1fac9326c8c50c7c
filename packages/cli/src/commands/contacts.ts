import { fingerprintMatches } from '@herald/core';
import { defineCommand } from '../command.js';
import { dataDir } from '../data-dir.js';
import { CliError, UsageError } from '../errors.js';
import { writeStdout } from '../io.js';
import { loadCard } from '../keys.js';
import { printable } from '../text.js';
import { markVerified, verifiedMarks } from '../verified.js';

export const contacts = defineCommand({
  name: 'contacts',
  summary: 'add, list, remove or verify the contact cards a node knows',
  synopsis: 'add CARD | list | remove CARD | verify CARD --fingerprint FP  --data-dir DIR',
  description: `
Contacts live in DIR/contacts, one card file each. A node accepts messages only
from its contacts and can address them by label or fingerprint (herald send
--to Bob). Verify a card's fingerprint with its owner before adding it:
'verify CARD --fingerprint FP', with FP as its owner read it out to you, adds
the card and marks it verified in person; herald listen shows the mark.`,
  flags: {
    'data-dir': { type: 'string', value: 'DIR', required: true, fallback: 'dataDir', description: 'the node data directory' },
    fingerprint: { type: 'string', value: 'FP', description: 'verify: the fingerprint as its owner read it to you' },
  },
  args: ['ACTION'],
  optionalArgs: ['CARD'],
  async run({ flags, args }) {
    const dir = dataDir(flags['data-dir'] ?? '');
    const [action, argument] = args;
    if (action === 'list') {
      if (argument !== undefined) throw new UsageError(`contacts list takes no argument; got '${argument}'`);
      const cards = await dir.contacts();
      const marks = await verifiedMarks(dir.path);
      await writeStdout(cards.length === 0 ? 'no contacts\n' : cards.map((card) => `${card.fingerprint}  ${printable(card.label)}${marks.has(card.fingerprint) ? '  (verified)' : ''}\n`).join(''));
      return;
    }
    if (action !== 'add' && action !== 'remove' && action !== 'verify') throw new UsageError(`contacts takes add, list, remove or verify; got '${action ?? ''}'`);
    if (argument === undefined) throw new UsageError(`contacts ${action} needs a CARD`);
    const card = await loadCard(argument);
    if (action === 'verify') {
      if (flags.fingerprint === undefined) throw new UsageError('contacts verify needs --fingerprint FP, as the card\'s owner reads it to you');
      if (!fingerprintMatches(card, flags.fingerprint)) throw new CliError('FINGERPRINT_MISMATCH', `the fingerprint you were given does not match ${printable(card.label)}'s card [${card.fingerprint}]: do not trust this card`);
      await dir.addContact(card);
      await markVerified(dir.path, card, 'in person');
      await writeStdout(`verified ${printable(card.label)} [${card.fingerprint}]\n`);
    } else if (action === 'add') {
      const outcome = await dir.addContact(card);
      await writeStdout(`${outcome} ${printable(card.label)} [${card.fingerprint}]\n`);
    } else {
      const removed = await dir.removeContact(card);
      await writeStdout(`${removed ? 'removed' : 'not a contact:'} ${printable(card.label)} [${card.fingerprint}]\n`);
    }
  },
});
