import { defineCommand } from '../command.js';
import { dataDir } from '../data-dir.js';
import { UsageError } from '../errors.js';
import { writeStdout } from '../io.js';
import { loadCard } from '../keys.js';
import { printable } from '../text.js';

export const contacts = defineCommand({
  name: 'contacts',
  summary: 'add, list or remove the contact cards a node knows',
  synopsis: 'add CARD | list | remove CARD  --data-dir DIR',
  description: `
Contacts live in DIR/contacts, one card file each. A node accepts messages only
from its contacts and can address them by label or fingerprint (herald send
--to Bob). Verify a card's fingerprint with its owner before adding it.`,
  flags: {
    'data-dir': { type: 'string', value: 'DIR', required: true, description: 'the node data directory' },
  },
  args: ['ACTION'],
  optionalArgs: ['CARD'],
  async run({ flags, args }) {
    const dir = dataDir(flags['data-dir'] ?? '');
    const [action, argument] = args;
    if (action === 'list') {
      if (argument !== undefined) throw new UsageError(`contacts list takes no argument; got '${argument}'`);
      const cards = await dir.contacts();
      await writeStdout(cards.length === 0 ? 'no contacts\n' : cards.map((card) => `${card.fingerprint}  ${printable(card.label)}\n`).join(''));
      return;
    }
    if (action !== 'add' && action !== 'remove') throw new UsageError(`contacts takes add, list or remove; got '${action ?? ''}'`);
    if (argument === undefined) throw new UsageError(`contacts ${action} needs a CARD`);
    const card = await loadCard(argument);
    if (action === 'add') {
      const outcome = await dir.addContact(card);
      await writeStdout(`${outcome} ${printable(card.label)} [${card.fingerprint}]\n`);
    } else {
      const removed = await dir.removeContact(card);
      await writeStdout(`${removed ? 'removed' : 'not a contact:'} ${printable(card.label)} [${card.fingerprint}]\n`);
    }
  },
});
