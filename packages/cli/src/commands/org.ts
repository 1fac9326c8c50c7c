import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { orgCertify } from '../org/certify.js';
import { orgInit } from '../org/init.js';
import { orgRevoke } from '../org/revoke.js';
import { orgShow } from '../org/show.js';
import { PASSPHRASE_ENV } from '../passphrase.js';

export const org = defineCommand({
  name: 'org',
  summary: 'run an organisation authority: create it, certify cards, revoke keys, show what to compare',
  synopsis: 'init --out ORG.key [--label NAME] | certify --org ORG.key --card CARD [options] | revoke --org ORG.key --fingerprint FP … [--reason R] | show FILE',
  description: `
init     creates an authority: ORG.key (secret; keep it offline) and ORG.card
         (public; every node trusts it with herald trust authority ORG.card).
certify  prints a certificate binding CARD to the authority, with --role and a
         validity (--expires 30d, 2w, 1y, or a date; default 1y). With
         --authority the card becomes a sub-authority that may certify others,
         with at most --path-length sub-authorities below it (default 0). A
         sub-authority certifies with --org SUB.key --chain SUB.cert, and the
         output carries its chain. Redirect it to a file: > alice.cert
revoke   adds the --fingerprint keys (repeatable) to the authority's complete
         revocation list, signs it under the next serial (the list is kept as
         ORG.revocations beside the key, or --list FILE) and prints it. Nodes
         refuse a list older than the one they hold.
show     prints what two people compare aloud: an authority's card or key, a
         certificate (each link of the chain), a revocation list or a rotation.`,
  args: ['ACTION'],
  optionalArgs: ['FILE'],
  flags: {
    out: { type: 'string', value: 'FILE', description: 'init: authority key file to create; the card goes beside it' },
    label: { type: 'string', value: 'NAME', description: 'init: the authority\'s name, e.g. "Mission X"' },
    org: { type: 'string', value: 'KEY', description: 'certify, revoke: the authority\'s secret key file' },
    card: { type: 'string', value: 'CARD', description: 'certify: the card to certify' },
    role: { type: 'string', value: 'ROLE', description: 'certify: the role the certificate names (at most 64 UTF-8 bytes)' },
    expires: { type: 'string', value: 'WHEN', description: 'certify: validity, e.g. 30d, 2w, 1y or 2027-06-30 (default 1y)' },
    authority: { type: 'boolean', description: 'certify: make the card a sub-authority' },
    'path-length': { type: 'string', value: 'N', description: 'certify: sub-authorities allowed below a sub-authority (default 0)' },
    chain: { type: 'string', value: 'FILE', description: 'certify: the issuing sub-authority\'s own certificate file' },
    fingerprint: { type: 'string', value: 'FP', multiple: true, description: 'revoke: fingerprint of a key to revoke (repeatable)' },
    reason: { type: 'string', value: 'REASON', description: 'revoke: lost, compromised, superseded or unspecified (default)' },
    list: { type: 'string', value: 'FILE', description: 'revoke: the current list to extend and replace (default ORG.revocations)' },
    serial: { type: 'string', value: 'N', description: 'revoke: serial of the new list (default: the current one + 1)' },
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for a protected key (else ${PASSPHRASE_ENV})` },
    force: { type: 'boolean', description: 'init: overwrite existing files' },
  },
  async run({ flags, args }) {
    const [action, file] = args;
    if (action !== 'show' && file !== undefined) throw new UsageError(`org ${action ?? ''} takes no FILE argument; got '${file}'`);
    switch (action) {
      case 'init':
        if (!flags.out) throw new UsageError('org init needs --out FILE');
        return orgInit(flags);
      case 'certify':
        return orgCertify(flags);
      case 'revoke':
        if (!flags.fingerprint?.length) throw new UsageError('org revoke needs at least one --fingerprint (to reissue the list unchanged, pass a fingerprint already on it)');
        return orgRevoke(flags);
      case 'show':
        if (file === undefined) throw new UsageError('org show needs a FILE (card, key, certificate, revocation list or rotation)');
        return orgShow(file, flags['passphrase-file']);
      default:
        throw new UsageError(`org takes init, certify, revoke or show; got '${action ?? ''}'`);
    }
  },
});
