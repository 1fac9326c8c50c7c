import { defineCommand } from '../command.js';
import { durationFlag } from '../duration.js';
import { StillPending, UsageError } from '../errors.js';
import { lostDevice } from '../incident/lost-device.js';
import { NODE_FLAGS } from '../node-runtime.js';
import { PASSPHRASE_ENV } from '../passphrase.js';

export const incident = defineCommand({
  name: 'incident',
  summary: 'respond to an incident: revoke a lost or compromised key and spread the revocation at once',
  synopsis: 'lost-device --org ORG.key --card CARD --key KEY --via URL [--via URL …] --data-dir DIR [--reason R] [--relay URL …] [--wait DURATION]',
  description: `
lost-device  revokes CARD's key (reason lost by default; compromised for a key
             known to be in hostile hands) in the authority's list (ORG.key,
             kept as ORG.revocations), makes this node (DIR) refuse it, tells
             every relay (the ws:// URLs of --via and each --relay) to cut it,
             sends the list FLASH over every channel to every contact in DIR
             but CARD, waits --wait for their acknowledgements, and prints
             what remains to be done by hand (docs/operations.md, runbook
             "A device lost or seized"). Exit 0 when every relay took the list
             and every member acknowledged it; 3 when something is still
             pending (printed).`,
  args: ['ACTION'],
  flags: {
    ...NODE_FLAGS,
    org: { type: 'string', value: 'KEY', required: true, description: 'the authority\'s secret key file' },
    card: { type: 'string', value: 'CARD', required: true, description: 'the card of the lost, seized or compromised key' },
    reason: { type: 'string', value: 'REASON', description: 'lost (default), compromised, superseded or unspecified' },
    relay: { type: 'string', value: 'URL', multiple: true, description: 'a relay to tell besides the ws:// ones in --via (repeatable)' },
    list: { type: 'string', value: 'FILE', description: 'the authority\'s current list (default ORG.revocations)' },
    wait: { type: 'string', value: 'DURATION', description: 'how long to wait for members to acknowledge the list (default 30s)' },
    ttl: { type: 'string', value: 'DURATION', description: 'how long the list keeps travelling to members not reached yet (default 7d)' },
    'org-passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for a protected ORG.key (else ${PASSPHRASE_ENV})` },
  },
  async run({ flags, args }) {
    const [action] = args;
    if (action !== 'lost-device') throw new UsageError(`incident takes lost-device; got '${action ?? ''}'`);
    const outcome = await lostDevice({
      node: flags,
      revoke: { org: flags.org ?? '', ...(flags.reason ? { reason: flags.reason } : {}), ...(flags.list ? { list: flags.list } : {}), ...(flags['org-passphrase-file'] ? { 'passphrase-file': flags['org-passphrase-file'] } : {}) },
      card: flags.card ?? '',
      relays: flags.relay ?? [],
      waitSeconds: durationFlag('--wait', flags.wait, 30, true),
      ttlSeconds: durationFlag('--ttl', flags.ttl, 7 * 24 * 3600),
    });
    if (!outcome.done) throw new StillPending('the revocation is not everywhere yet; see the remaining steps above');
  },
});
