import { ackCodeAsSender, ackCodesEqual, CourierError, normalizeAckCode } from '@herald/courier';
import { defineCommand } from '../command.js';
import { dataDir } from '../data-dir.js';
import { CliError } from '../errors.js';
import { writeStdout } from '../io.js';
import { loadIdentity } from '../keys.js';
import { PASSPHRASE_ENV } from '../passphrase.js';
import { printable } from '../text.js';

const PENDING = new Set(['queued', 'accepted']);
const NOT_IN_OUTBOX = 'a message made with herald seal is in no outbox, so its ack code cannot be checked: send it with herald send --via manual: (or --compact) to have it tracked';

export const ackCode = defineCommand({
  name: 'ack-code',
  summary: "confirm delivery of a hand-carried message with the recipient's short ack code",
  synopsis: '--key KEY --data-dir DIR CODE',
  description: `
When a message went out by hand (groups over the radio, the manual: channel),
the recipient's operator reads it in with herald groups --read and reads back a
ten-letter ack code. Entering it here marks that recipient's copy delivered in
DIR's outbox, exactly as the end-to-end ack would. Only the recipient (and you)
can compute the code: it is keyed by your two keys, so whoever relayed or keyed
the groups cannot forge it. Case and spaces do not matter. Run it while no other
herald process uses DIR.`,
  flags: {
    key: { type: 'string', value: 'KEY', required: true, fallback: 'key', description: 'your secret key file (the sender)' },
    'data-dir': { type: 'string', value: 'DIR', required: true, fallback: 'dataDir', description: 'the node data directory holding the outbox' },
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for a protected key (else ${PASSPHRASE_ENV})` },
  },
  args: ['CODE'],
  optionalArgs: ['CODE'],
  async run({ flags, args }) {
    const code = normalizeAckCode(args.join(' '));
    const identity = await loadIdentity(flags.key ?? '', flags['passphrase-file']);
    const dir = dataDir(flags['data-dir'] ?? '');
    const contacts = await dir.contacts();
    // A message made with herald seal never entered an outbox: say so rather than create an empty data dir.
    const store = await dir.openStore({ readOnly: true }).catch((error: unknown) => {
      throw error instanceof CliError && error.code === 'FILE_NOT_FOUND' ? new CourierError('UNKNOWN_ACK_CODE', `${error.message}; ${NOT_IN_OUTBOX}`) : error;
    });
    let waiting = 0;
    try {
      for (const record of await store.listOutbox()) {
        if (!PENDING.has(record.status)) continue;
        waiting++;
        for (const recipient of record.recipients) {
          if (record.acked.includes(recipient)) continue;
          const card = contacts.find((contact) => contact.fingerprint === recipient);
          if (!card || !ackCodesEqual(ackCodeAsSender(identity, card, record.id), code)) continue;
          const acked = [...record.acked, recipient];
          const done = acked.length === record.recipients.length;
          await store.putOutbox({ ...record, acked, updatedAt: Date.now(), ...(done ? { status: 'delivered' as const } : {}) });
          const left = record.recipients.length - acked.length;
          await writeStdout(`${record.id}: acknowledged by ${printable(card.label)} [${card.fingerprint}]; ${done ? 'delivered' : `${left} recipient${left === 1 ? '' : 's'} still to ack`}\n`);
          return;
        }
      }
    } finally {
      await store.close();
    }
    if (waiting === 0) throw new CourierError('UNKNOWN_ACK_CODE', `no message in this outbox is waiting for an ack; ${NOT_IN_OUTBOX}`);
    throw new CourierError('UNKNOWN_ACK_CODE', `this ack code matches none of the ${waiting} message${waiting === 1 ? '' : 's'} waiting for an ack in this outbox: check the letters with the recipient's operator`);
  },
});
