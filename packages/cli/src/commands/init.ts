import { access, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { defineCommand } from '../command.js';
import { channelsFromFlags } from '../channels.js';
import { dataDir } from '../data-dir.js';
import { CliError, UsageError } from '../errors.js';
import { writeStderr, writeStdout } from '../io.js';
import { loadCard, loadIdentity } from '../keys.js';
import { PASSPHRASE_ENV } from '../passphrase.js';
import { profilePath, readProfile, writeProfile } from '../profile.js';
import { createKeyFiles, EPOCH_FLAG_HELP, epochFlag, epochNote } from './keygen.js';

/** $XDG_DATA_HOME/herald (~/.local/share/herald when unset): where a node keeps its outbox, inbox and contacts. */
function defaultDataDir(): string {
  return join(process.env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'herald');
}

export const init = defineCommand({
  name: 'init',
  summary: 'set up this device once: key, data dir, default channels and contacts, kept in a profile',
  synopsis: '[--label NAME] [--epoch DURATION] [--key KEY] [--data-dir DIR] [--via URL …] [--contact CARD …] [--force]',
  description: `
Writes a profile (HERALD_PROFILE, else ~/.config/herald/profile.yaml) naming
the key, the data dir and the channels, so that daily commands (send, listen,
flush, inbox, outbox, contacts, ack-code) need no --key, --data-dir or --via.
A flag given on a command still wins, and so do HERALD_KEY, HERALD_DATA_DIR and
HERALD_VIA (comma-separated). Defaults: the data dir ~/.local/share/herald and
the key DIR/identity.key, made here (with --label) when it does not exist yet,
passphrase-protected with --passphrase-file or ${PASSPHRASE_ENV}; with --epoch
(e.g. 1d) its card is version 2, whose routing tag changes every epoch (see
keygen). --contact adds cards to the data dir. An existing profile is kept
unless --force.`,
  flags: {
    label: { type: 'string', value: 'NAME', description: 'your name for contacts: makes a new key when there is none' },
    epoch: { type: 'string', value: 'DURATION', description: `with a new key: ${EPOCH_FLAG_HELP}` },
    key: { type: 'string', value: 'KEY', description: 'your secret key file (default DIR/identity.key)' },
    'data-dir': { type: 'string', value: 'DIR', description: 'where the outbox, inbox and contacts live (default ~/.local/share/herald)' },
    via: { type: 'string', value: 'URL', multiple: true, description: 'a default channel, in order of preference (repeatable)' },
    contact: { type: 'string', value: 'CARD', multiple: true, description: 'add a contact card to the data dir (repeatable)' },
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for the key (else ${PASSPHRASE_ENV})` },
    force: { type: 'boolean', description: 'replace an existing profile' },
  },
  async run({ flags }) {
    const path = profilePath();
    const existing = await readProfile(path);
    if (Object.keys(existing).length > 0 && !flags.force) throw new CliError('FILE_EXISTS', `profile ${path} exists (key ${existing.key ?? '—'}, data dir ${existing.dataDir ?? '—'}); --force replaces it`);
    const dir = resolve(flags['data-dir'] ?? defaultDataDir());
    const key = resolve(flags.key ?? join(dir, 'identity.key'));
    const via = flags.via ?? [];
    // Checked now, so a typo in a URL fails here rather than at the first send.
    if (via.length > 0) channelsFromFlags(via, undefined, dir);
    const exists = await access(key).then(() => true, () => false);
    if (!exists && flags.label === undefined) throw new UsageError(`there is no key at ${key}: give --label NAME to make one, or --key to name yours`);
    const epochSeconds = epochFlag(flags.epoch);
    // A card's epoch is in its signed part: an existing key keeps the card it has.
    if (exists && epochSeconds !== undefined) throw new UsageError(`--epoch applies to a new key only; the key at ${key} exists and keeps its card`);
    if (!exists) await mkdir(dirname(key), { recursive: true, mode: 0o700 });
    const identity = exists ? await loadIdentity(key, flags['passphrase-file']) : await createKeyFiles(key, flags.label ?? '', flags['passphrase-file'], false, epochSeconds);
    const book = dataDir(dir);
    for (const card of flags.contact ?? []) await writeStderr(`${(await book.addContact(await loadCard(card))) === 'added' ? 'added' : 'updated'} contact ${card}\n`);
    await writeProfile({ key, dataDir: dir, ...(via.length > 0 ? { via } : {}) }, path);
    const note = epochNote(identity.card);
    await writeStderr(`profile ${path}: key ${key}${note && ` (${note})`}, data dir ${dir}${via.length > 0 ? `, channels ${via.join(', ')}` : ''}\n`);
    await writeStdout(`${identity.card.fingerprint}\n`);
  },
});
