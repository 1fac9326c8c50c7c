/**
 * pnpm soak — mixed honest traffic and hostile clients against one relay
 * started with --mqtt, for HERALD_SOAK_MINUTES (default 10). Prints the
 * relay's RSS every minute (the median of its samples, taken every 5 s); fails if the last minute's RSS is more than 10 %
 * above the second minute's, if any honest message was lost or delivered
 * twice, or if the relay died.
 */
import { mib } from './memory.js';
import { freshSeed } from './prng.js';
import { startRelay } from './relay/relay-process.js';
import { numberSetting } from './settings.js';
import { honestTraffic } from './soak/honest.js';
import { HOSTILE_KINDS, hostileClients, type HostileKind } from './soak/hostile.js';
import { sampleMinutes } from './soak/minutes.js';

const minutes = numberSetting('HERALD_SOAK_MINUTES', 10, 1);
const sendEveryMs = numberSetting('HERALD_SOAK_SEND_EVERY_MS', 250, 1);
const drainMs = numberSetting('HERALD_SOAK_DRAIN_SECONDS', 120, 1) * 1000;
const seed = numberSetting('HERALD_FUZZ_SEED', freshSeed());
/** HERALD_SOAK_HOSTILE=flood,idle,… runs only those hostile clients (to find which one a growth comes with). */
const kinds = new Set((process.env.HERALD_SOAK_HOSTILE ?? HOSTILE_KINDS.join(',')).split(',').filter(Boolean));
for (const kind of kinds) if (!(HOSTILE_KINDS as readonly string[]).includes(kind)) throw new Error(`HERALD_SOAK_HOSTILE: unknown kind ${JSON.stringify(kind)}; the kinds are ${HOSTILE_KINDS.join(', ')}`);
/** Allowed growth of the relay's RSS from the second minute to the last (the first is warm-up). */
const MAX_RSS_GROWTH = 0.1;

console.log(`herald soak — ${minutes} min against a relay with --mqtt; honest nodes send every ${sendEveryMs} ms; hostile clients: ${[...kinds].join(', ')} (seed ${seed})`);
const relay = await startRelay();
const honest = await honestTraffic(relay.url, `mqtt://127.0.0.1:${relay.mqttPort}`);
const started = Date.now();
const deadline = started + minutes * 60_000;
const failures: string[] = [];

const sampling = sampleMinutes(relay, started, deadline, (minute, figures) => {
  const delivered = [...honest.sent].filter((text) => honest.delivered.has(text)).length;
  console.log(`minute ${minute}: ${figures.line}; honest: ${honest.sent.size} sent, ${delivered} delivered so far`);
});
const sending = (async () => {
  for (let round = 0; Date.now() < deadline && relay.death() === undefined; round++) {
    await honest.sendRound(round);
    await new Promise((resolve) => setTimeout(resolve, sendEveryMs));
  }
})();
const hostile = await hostileClients(relay, deadline, seed, kinds as Set<HostileKind>);
await sending;
const rss = (await sampling).map((minute) => minute.rss);

console.log(`hostile clients stopped; waiting up to ${drainMs / 1000} s for the honest messages still on their way`);
await honest.drain(drainMs);
const lost = [...honest.sent].filter((text) => !honest.delivered.has(text));
const twice = [...honest.delivered].filter(([, count]) => count > 1).map(([text]) => text);
const unsent = [...honest.delivered.keys()].filter((text) => !honest.sent.has(text));
await honest.stop();
const death = relay.death();
await relay.stop();

console.log(hostile.report());
console.log(`honest: ${honest.sent.size} sent, ${honest.sent.size - lost.length} delivered, ${lost.length} lost, ${twice.length} delivered more than once, ${honest.refusedSends.length} sends refused`);
if (death !== undefined) failures.push(death);
if (lost.length > 0) failures.push(`${lost.length} honest messages lost, e.g. ${lost.slice(0, 5).join(', ')}`);
if (twice.length > 0) failures.push(`${twice.length} honest messages delivered more than once, e.g. ${twice.slice(0, 5).join(', ')}`);
if (unsent.length > 0) failures.push(`${unsent.length} messages delivered that were never sent`);
if (honest.refusedSends.length > 0) failures.push(`${honest.refusedSends.length} honest sends refused, e.g. ${honest.refusedSends.slice(0, 3).join('; ')}`);
const second = rss[1];
const last = rss.at(-1);
if (second === undefined || last === undefined) console.log('RSS: fewer than two minutes sampled, growth not checked');
else {
  const growth = last / second - 1;
  console.log(`RSS: minute 2 ${mib(second)}, last minute ${mib(last)}: ${(growth * 100).toFixed(1)} % (limit ${MAX_RSS_GROWTH * 100} %)`);
  if (growth > MAX_RSS_GROWTH) failures.push(`relay RSS grew ${(growth * 100).toFixed(1)} % from minute 2 to minute ${rss.length}`);
}
for (const failure of failures) console.log(`FAILURE ${failure}`);
console.log(`${failures.length === 0 ? 'PASS' : 'FAIL'} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = failures.length === 0 ? 0 : 1;
