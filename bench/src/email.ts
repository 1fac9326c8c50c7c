/**
 * pnpm bench:email — end-to-end latency over e-mail, p50 and p99, through a
 * real Postfix (submission, STARTTLS, SASL) and Dovecot (LMTP, IMAP over TLS)
 * started on loopback ports for the run:
 *
 * - Herald: node.send() at Alice until Bob's application reads the message
 *   (1 KiB body; sealing, durable outbox and inbox, recognition, ack by mail);
 * - beside a bare nodemailer send of the same envelope bytes and a bare
 *   imapflow fetch of them (IDLE push, then FETCH), through the same servers.
 *
 * One message at a time (latency, not throughput), subject and baseline
 * alternating message by message so drift on a shared machine hits both alike.
 */
import { randomFillSync } from 'node:crypto';
import { generateIdentity, seal } from '@herald/core';
import { startMailSystem } from '@herald/mail-test-server';
import { barePath } from './email/bare.js';
import { heraldPath } from './email/herald.js';
import { median, quickMode } from './measure.js';

const quick = quickMode();
const count = quick ? 8 : 100;
const warmup = quick ? 2 : 10;

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

const row = (label: string, subject: number, baseline: number): string => `  ${label.padEnd(18)}${subject.toFixed(1).padStart(10)}${baseline.toFixed(1).padStart(10)}${(subject / baseline).toFixed(2).padStart(8)}`;

const mail = await startMailSystem({ domain: 'bench.test' });
try {
  const alice = generateIdentity({ label: 'Alice' });
  const bob = generateIdentity({ label: 'Bob' });
  const herald = await heraldPath(mail, alice, bob);
  const bare = await barePath(mail);
  const body = randomFillSync(new Uint8Array(1024));
  // The bare path carries a real envelope of the size Herald sends (1 KiB body, padded), sealed before the clock starts.
  const envelope = seal(body, { from: alice, to: bob.card });
  const text = (index: number): string => `message ${index} ${Buffer.from(body.subarray(0, 16)).toString('hex')}`;
  try {
    for (let index = 0; index < warmup; index++) {
      await bare.roundTrip(envelope);
      await herald.roundTrip(text(-1 - index));
    }
    const heraldMs: number[] = [];
    const bareMs: number[] = [];
    for (let index = 0; index < count; index++) {
      bareMs.push(await bare.roundTrip(envelope));
      heraldMs.push(await herald.roundTrip(text(index)));
    }
    console.log(`bench:email — ${count} messages one at a time, envelope ${envelope.length} bytes, Postfix + Dovecot on 127.0.0.1${quick ? ' (quick)' : ''}`);
    console.log(`  ${''.padEnd(18)}${'herald'.padStart(10)}${'bare'.padStart(10)}${'ratio'.padStart(8)}`);
    console.log(row('p50 latency, ms', percentile(heraldMs, 0.5), percentile(bareMs, 0.5)));
    console.log(row('p99 latency, ms', percentile(heraldMs, 0.99), percentile(bareMs, 0.99)));
    console.log(row('median, ms', median(heraldMs), median(bareMs)));
    console.log('  bare = nodemailer sendMail of the same envelope bytes, imapflow IDLE push and FETCH, through the same servers');
  } finally {
    await herald.close();
    await bare.close();
  }
} finally {
  await mail.close();
}
