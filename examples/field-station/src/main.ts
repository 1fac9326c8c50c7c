/**
 * Field station: HQ and a field team exchange situation reports over two spool
 * folders. Each report's delivery status is shown as it changes; half-way the
 * first folder is cut, and traffic carries on over the second.
 * Run with `node examples/field-station/dist/main.js` after `pnpm build`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, type Precedence, type SendHandle } from '@herald/core';
import { openStation, type Station } from './station.js';

const workdir = await mkdtemp(join(tmpdir(), 'herald-field-station-'));
const spools = [join(workdir, 'office-share'), join(workdir, 'courier-stick')];
const hqIdentity = generateIdentity({ label: 'HQ' });
const fieldIdentity = generateIdentity({ label: 'Field team' });
const hq = await openStation('hq', hqIdentity, [fieldIdentity.card], workdir, spools);
const field = await openStation('field', fieldIdentity, [hqIdentity.card], workdir, spools);

const log = (line: string): void => console.log(`${new Date().toISOString().slice(11, 23)}  ${line}`);

function track(from: Station, label: string, handle: SendHandle): Promise<unknown> {
  log(`${from.name} → ${label}: queued (${handle.id.slice(0, 8)})`);
  handle.onStatus((change) => log(`${from.name} → ${label}: ${change.status}${change.channel ? ` via ${change.channel.split('/').pop()}` : ''}`));
  return handle.settled({ signal: AbortSignal.timeout(60_000) });
}

async function report(from: Station, to: string, precedence: Precedence, text: string): Promise<unknown> {
  return track(from, `${precedence} "${text}"`, await from.node.send(to, text, { precedence, ttl: 3600 }));
}

async function receive(station: Station, count: number): Promise<void> {
  let seen = 0;
  for await (const message of station.node.messages({ signal: AbortSignal.timeout(60_000) })) {
    log(`${station.name} received ${message.precedence} from ${message.sender.label} via ${message.channel.split('/').pop()}: "${message.text}"`);
    await message.ack();
    if (++seen === count) return;
  }
}

const hqInbox = receive(hq, 3);
const fieldInbox = receive(field, 3);

await Promise.all([
  report(field, 'HQ', 'ROUTINE', 'Arrived at checkpoint 3, all well'),
  report(hq, 'Field team', 'PRIORITY', 'Resupply convoy delayed to 14:00'),
  report(field, 'HQ', 'IMMEDIATE', 'Road north of village blocked'),
]);

log('-- the office share goes offline --');
await rm(spools[0]!, { recursive: true, force: true });
await writeFile(spools[0]!, 'offline');

await Promise.all([
  report(hq, 'Field team', 'FLASH', 'Evacuate sector 4 by 18:00'),
  report(field, 'HQ', 'FLASH', 'Acknowledged, moving out'),
  report(hq, 'Field team', 'ROUTINE', 'Next check-in 20:00'),
]);
await Promise.all([hqInbox, fieldInbox]);

const outcomes = [...(await hq.node.outbox()), ...(await field.node.outbox())].map((record) => record.status);
log(`done: ${outcomes.filter((status) => status === 'delivered').length} of ${outcomes.length} reports delivered end to end`);
await hq.close();
await field.close();
await rm(workdir, { recursive: true, force: true });
