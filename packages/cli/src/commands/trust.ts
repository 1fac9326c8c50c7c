import { createTrust, parseChain, parseRevocationList, spell } from '@herald/trust';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { readTextFile } from '../files.js';
import { writeStderr, writeStdout } from '../io.js';
import { loadCard } from '../keys.js';
import { retiredKeys } from '../retired.js';
import { printable } from '../text.js';
import { trustDir } from '../trust-dir.js';
import { dataDir } from '../data-dir.js';
import { verifiedMarks } from '../verified.js';

export const trust = defineCommand({
  name: 'trust',
  summary: 'set which authorities a node trusts, its own certificate, revocation lists and the policy',
  synopsis: 'authority CARD | certificate FILE | revocations FILE | require yes|no | show   --data-dir DIR',
  description: `
authority CARD      trust an organisation authority (compare its fingerprint,
                    printed here, with the authority's owner first). From then
                    on the node accepts only senders certified by a trusted
                    authority, unless 'require no'.
certificate FILE    this node's own certificate chain (herald org certify);
                    it travels inside envelopes until each contact has it.
revocations FILE    take a newer revocation list; an older one is refused
                    (STALE_REVOCATION_LIST), as is one from an untrusted key.
require yes|no      whether every sender must hold a valid certificate.
show                authorities, certificates, revocation lists, retired keys.`,
  args: ['ACTION'],
  optionalArgs: ['ARGUMENT'],
  flags: {
    'data-dir': { type: 'string', value: 'DIR', required: true, description: 'the node data directory' },
  },
  async run({ flags, args }) {
    const path = flags['data-dir'] ?? '';
    const dir = trustDir(path);
    const [action, argument] = args;
    if (action === 'show') return show(path);
    if (argument === undefined) throw new UsageError(`trust ${action ?? ''} needs an argument (see herald trust --help)`);
    switch (action) {
      case 'authority': {
        const card = await loadCard(argument);
        await dir.addAuthority(card);
        await warnUncertifiedContacts(path, await dir.require());
        return writeStdout(`trusting authority ${printable(card.label)}\nfingerprint ${card.fingerprint}\n${spell(card.fingerprint).map((words) => `  ${words}`).join('\n')}\ncompare it aloud with the authority's owner\n`);
      }
      case 'certificate': {
        const chain = parseChain(await readTextFile(argument, 'certificate file'));
        const anchors = await dir.authorities();
        // Checked now against what the node trusts, so a wrong file is caught here and not by every contact.
        if (anchors.length > 0) (await createTrust({ anchors, store: dir.store })).verify(chain);
        await dir.setCertificate(chain);
        return writeStdout(`certificate of ${printable(chain[0]!.subject.label)} [${chain[0]!.subject.fingerprint}] until ${chain[0]!.notAfter.toISOString()}; use it with the matching --key\n`);
      }
      case 'revocations': {
        const list = parseRevocationList(await readTextFile(argument, 'revocation list'));
        const policy = await createTrust({ anchors: await dir.authorities(), require: false, store: dir.store });
        const outcome = await policy.importRevocationList(list);
        return writeStdout(`${outcome === 'updated' ? 'took' : 'already held'} revocation list ${list.serial} from ${list.issuerFingerprint} (${list.entries.length} revoked)\n`);
      }
      case 'require':
        if (argument !== 'yes' && argument !== 'no') throw new UsageError(`trust require takes yes or no; got '${argument}'`);
        await dir.setRequire(argument === 'yes');
        return writeStdout(argument === 'yes' ? 'every sender must hold a valid certificate\n' : 'certificates are checked when present; revocation always applies\n');
      default:
        throw new UsageError(`trust takes authority, certificate, revocations, require or show; got '${action ?? ''}'`);
    }
  },
});

async function show(path: string): Promise<void> {
  const dir = trustDir(path);
  const anchors = await dir.authorities();
  const policy = await createTrust({ anchors, require: false, store: dir.store });
  const lines = [`policy: ${anchors.length === 0 ? 'no authority trusted; certificates are not required' : (await dir.require()) ? 'every sender must hold a valid certificate' : 'certificates checked when present'}`];
  for (const card of anchors) lines.push(`authority ${printable(card.label)} ${card.fingerprint}`);
  for (const list of policy.revocationLists()) lines.push(`revocation list ${list.serial} from ${list.issuerFingerprint}: ${list.entries.length} revoked`);
  for (const statement of await retiredKeys(path).statements()) lines.push(`retired key ${statement.previous.fingerprint} → ${statement.successor.fingerprint}`);
  await writeStdout(`${lines.join('\n')}\n`);
}

/** Trusting a first authority turns on 'require': contacts added by card alone are refused from then on unless certified. */
async function warnUncertifiedContacts(path: string, required: boolean): Promise<void> {
  if (!required) return;
  const contacts = await dataDir(path).contacts();
  if (contacts.length === 0) return;
  const verified = await verifiedMarks(path);
  const inPerson = contacts.filter((contact) => verified.has(contact.fingerprint)).length;
  await writeStderr(
    `warning: from now on every sender needs a certificate from a trusted authority; your ${contacts.length} contact${contacts.length === 1 ? '' : 's'}` +
      `${inPerson > 0 ? ` (${inPerson} verified in person)` : ''} will be refused (UNCERTIFIED) unless certified. ` +
      `To keep accepting contacts by their cards as well: herald trust require no --data-dir ${path}\n`,
  );
}
