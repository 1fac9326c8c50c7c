import type { Command } from '../command.js';
import { card } from './card.js';
import { contacts } from './contacts.js';
import { drill } from './drill.js';
import { flush } from './flush.js';
import { listen } from './listen.js';
import { outbox } from './outbox.js';
import { send } from './send.js';
import { fingerprint } from './fingerprint.js';
import { inspect } from './inspect.js';
import { keygen } from './keygen.js';
import { open } from './open.js';
import { relay } from './relay.js';
import { seal } from './seal.js';
import { org } from './org.js';
import { trust } from './trust.js';
import { rotate } from './rotate.js';
import { groups } from './groups.js';
import { qr } from './qr.js';
import { bundle } from './bundle.js';
import { ackCode } from './ack-code.js';

/**
 * Every `herald` command, in the order `herald --help` lists them. A new
 * command is one file in this folder plus one entry here.
 */
export const COMMANDS: readonly Command[] = [keygen, card, fingerprint, seal, open, inspect, contacts, send, listen, flush, outbox, relay, org, trust, rotate, groups, qr, bundle, ackCode, drill];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
