import { armorEnvelope, open, type Card } from '@herald/core';
import { ackCodeAsRecipient, formatAckCode, readGroups, renderGroups, MAX_GROUPS_ENVELOPE_BYTES } from '@herald/courier';
import { defineCommand } from '../command.js';
import { takeIn } from '../courier-intake.js';
import { dataDir } from '../data-dir.js';
import { readEnvelope } from '../envelope-input.js';
import { UsageError } from '../errors.js';
import { readTextFile } from '../files.js';
import { readStdin, stdoutIsTerminal, writeStderr, writeStdout } from '../io.js';
import { loadCard, loadIdentity } from '../keys.js';
import { PASSPHRASE_ENV } from '../passphrase.js';

/** Typed groups for the largest envelope, with generous room for spacing and repeats. */
const MAX_TEXT_BYTES = MAX_GROUPS_ENVELOPE_BYTES * 8;

export const groups = defineCommand({
  name: 'groups',
  summary: 'write an envelope as cipher groups for voice, Morse or paper, or read typed groups back',
  synopsis: '[--alphabet letters|base32] [--line N] [--number N] [--full] < message.env\n       herald groups --read [FILE …] [--key KEY [--data-dir DIR] | --for CARD] [--correct] [--armor] > message.env',
  description: `
Writes the envelope on stdin as numbered lines of five-letter groups (A–Z, for
voice and Morse; --alphabet base32 for Crockford base32), each line ending in
its check group, after a header line "NR number GR groups CK check". An
envelope to one recipient takes the compact form, which leaves out what the
recipient's card restores. Seal it with --no-pad --compact-sender
--compact-text for the fewest groups: a 100-character radio message is then 77
groups, checks included (the courier README says what is counted).

With --read, takes typed groups (stdin, or FILEs: one per transmission) in any
case and spacing, lines in any order, and writes the envelope to stdout. It
succeeds only when every line and the whole check out, and otherwise names the
lines to ask for again (error GROUPS_INCOMPLETE), with the likely fix where one
letter explains an error (--correct applies such fixes). The compact form needs
the recipient: --key (your own key) or --for CARD. With --key and --data-dir
the message is also taken into your node (inbox, end-to-end ack into the
courier spool) and the short ack code for the sender's operator is printed.`,
  flags: {
    read: { type: 'boolean', description: 'read typed groups back into an envelope' },
    alphabet: { type: 'string', value: 'NAME', description: 'letters (default) or base32' },
    line: { type: 'string', value: 'N', description: 'data groups per line, 1 to 25 (default 10)' },
    number: { type: 'string', value: 'N', description: 'message number NR, 1 to 9999 (default: from the message id)' },
    full: { type: 'boolean', description: 'write the whole envelope even for one recipient (readable without the recipient card)' },
    key: { type: 'string', value: 'KEY', description: '--read: your secret key file (restores the compact form)' },
    'data-dir': { type: 'string', value: 'DIR', description: '--read: take the message into this node and print the ack code' },
    for: { type: 'string', value: 'CARD', description: "--read: the recipient's card (restores the compact form without a key)" },
    correct: { type: 'boolean', description: '--read: apply single-letter fixes that make a line and the whole check' },
    armor: { type: 'boolean', description: '--read: write ASCII armor instead of binary' },
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for a protected key (else ${PASSPHRASE_ENV})` },
  },
  optionalArgs: Array.from({ length: 16 }, () => 'FILE'),
  async run({ flags, args }) {
    if (!flags.read) {
      for (const flag of ['key', 'data-dir', 'for', 'correct', 'armor'] as const) if (flags[flag] !== undefined) throw new UsageError(`--${flag} goes with --read`);
      if (args.length > 0) throw new UsageError('the envelope comes on stdin; FILE arguments go with --read');
      const envelope = await readEnvelope();
      const rendered = renderGroups(envelope, {
        alphabet: alphabetFlag(flags.alphabet),
        groupsPerLine: intFlag('--line', flags.line, 10, 1, 25),
        form: flags.full ? 'full' : 'auto',
        ...(flags.number !== undefined ? { number: intFlag('--number', flags.number, 1, 1, 9999) } : {}),
      });
      await writeStdout(rendered.text);
      await writeStderr(`NR ${rendered.number}: ${rendered.dataGroups} data groups in ${rendered.lines} line${rendered.lines === 1 ? '' : 's'}, ${rendered.totalGroups} groups with the checks (${rendered.form} form)\n`);
      return;
    }
    for (const flag of ['alphabet', 'line', 'number', 'full'] as const) if (flags[flag] !== undefined) throw new UsageError(`--${flag} is for writing groups, not with --read`);
    if (flags['data-dir'] !== undefined && flags.key === undefined) throw new UsageError('--data-dir needs --key (the node that takes the message in)');
    if (flags.for !== undefined && flags.key !== undefined) throw new UsageError('give --key or --for, not both');
    const text = args.length > 0 ? (await Promise.all(args.map((file) => readTextFile(file, 'groups file')))).join('\n') : new TextDecoder().decode(await readStdin(MAX_TEXT_BYTES, 'groups'));
    const identity = flags.key !== undefined ? await loadIdentity(flags.key, flags['passphrase-file']) : undefined;
    const card: Card | undefined = identity?.card ?? (flags.for !== undefined ? await loadCard(flags.for) : undefined);
    const read = readGroups(text, { ...(card ? { routingTag: card.routingTag } : {}), correct: flags.correct === true });
    for (const fix of read.corrections) await writeStderr(`corrected line ${fix.line}: ${fix.description}\n`);
    if (identity && flags['data-dir'] !== undefined) {
      // Opened here only to name the sender; the node opens, stores and acks it on its own.
      const contacts = await dataDir(flags['data-dir']).contacts();
      const opened = await open(read.envelope, { identity, contacts, requireKnownSender: true });
      const outcome = await takeIn({ identity, dataDir: flags['data-dir'], envelopes: [read.envelope] });
      const sender = opened.sender.card;
      const where = outcome.known > 0 ? 'already in your node' : outcome.failed > 0 ? 'NOT taken in (the node could not store it; try again)' : 'taken into your node';
      await writeStderr(`NR ${read.number}: message ${opened.id} from ${sender?.label ?? opened.sender.fingerprint}, ${where}\n`);
      if (sender && outcome.failed === 0) await writeStderr(`ack code for the sender's operator: ${formatAckCode(ackCodeAsRecipient(identity, sender, opened.id))}\n`);
    }
    await writeStdout(flags.armor || stdoutIsTerminal() ? armorEnvelope(read.envelope) : read.envelope);
  },
});

function alphabetFlag(value: string | undefined): 'letters' | 'base32' {
  if (value === undefined || value === 'letters' || value === 'base32') return value ?? 'letters';
  throw new UsageError(`--alphabet must be letters or base32; got '${value}'`);
}

export function intFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}; got '${value}'`);
  return Number(value);
}
