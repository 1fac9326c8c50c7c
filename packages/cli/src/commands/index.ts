import type { Command } from '../command.js';

/**
 * Every `herald` command, in the order `herald --help` lists them. A new
 * command is one file in this folder plus one entry here.
 *
 * Commands are loaded on use: the relay, the transports and the courier
 * encodings take over a second of CPU to import, which `herald seal` should
 * not pay. The summary lives here so `herald --help` loads nothing; a test
 * checks it matches the command's own.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

const entry = (name: string, summary: string, load: () => Promise<Command>): CommandEntry => ({ name, summary, load });

export const COMMANDS: readonly CommandEntry[] = [
  entry('init', 'set up this device once: key, data dir, default channels and contacts, kept in a profile', async () => (await import('./init.js')).init),
  entry('keygen', 'create a new identity: a secret key file and its public contact card', async () => (await import('./keygen.js')).keygen),
  entry('card', 'print the contact card of a secret key file', async () => (await import('./card.js')).card),
  entry('fingerprint', 'print the fingerprint of a card file, card text or key file', async () => (await import('./fingerprint.js')).fingerprint),
  entry('seal', 'encrypt and sign a message from stdin for one or more contacts', async () => (await import('./seal.js')).seal),
  entry('open', 'decrypt and verify an envelope from stdin', async () => (await import('./open.js')).open),
  entry('inspect', 'show what an outsider can see of an envelope, without any key', async () => (await import('./inspect.js')).inspect),
  entry('contacts', 'add, list, remove or verify the contact cards a node knows', async () => (await import('./contacts.js')).contacts),
  entry('send', 'send a message and wait for the recipient to acknowledge it', async () => (await import('./send.js')).send),
  entry('listen', 'receive messages, print each once, and acknowledge them end to end', async () => (await import('./listen.js')).listen),
  entry('flush', 'carry on delivering the outbox until every message is acknowledged', async () => (await import('./flush.js')).flush),
  entry('inbox', 'print the messages waiting in the inbox, each once, without any channel', async () => (await import('./inbox.js')).inbox),
  entry('outbox', 'list the messages in the outbox with their status and attempts', async () => (await import('./outbox.js')).outbox),
  entry('relay', 'run a relay: store-and-forward mailboxes for ws:// channels, with an optional MQTT broker (--mqtt) and SMTP endpoint (--smtp)', async () => (await import('./relay.js')).relay),
  entry('org', 'run an organisation authority: create it, certify cards, revoke keys, show what to compare', async () => (await import('./org.js')).org),
  entry('trust', 'set which authorities a node trusts, its own certificate, revocation lists and the policy', async () => (await import('./trust.js')).trust),
  entry('incident', 'respond to an incident: revoke a lost or compromised key and spread the revocation at once', async () => (await import('./incident.js')).incident),
  entry('prekey', 'make, publish, list and prune the signed prekeys that envelope version 2 seals to', async () => (await import('./prekey.js')).prekey),
  entry('rotate', 'replace your key: a new key, a rotation statement signed by both, the old key kept to decrypt mail in flight', async () => (await import('./rotate.js')).rotate),
  entry('groups', 'write an envelope as cipher groups for voice, Morse or paper, or read typed groups back', async () => (await import('./groups.js')).groups),
  entry('qr', 'show an envelope as QR codes (terminal, PNG or SVG), or read scanned codes back', async () => (await import('./qr.js')).qr),
  entry('bundle', 'pack pending mail into a courier bundle for removable media, or take one in', async () => (await import('./bundle.js')).bundle),
  entry('ack-code', "confirm delivery of a hand-carried message with the recipient's short ack code", async () => (await import('./ack-code.js')).ackCode),
  entry('drill', 'run a failover drill: real processes, a load, faults on a timeline, a report', async () => (await import('./drill.js')).drill),
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((command) => command.name === name);
}
