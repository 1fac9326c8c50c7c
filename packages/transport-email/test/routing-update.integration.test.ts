import { afterAll, beforeAll, expect, it } from 'vitest';
import { envelopeId } from '@herald/core';
import { accountInit, startMailSystem, type MailSystem, pairOn } from './mail.js';
import { envelope, party, pause, peek, recorder, routeOf, tagOf, transport, until } from './helpers.js';

/**
 * updateRoutingTags against a real Postfix + Dovecot (epoch tags, docs/protocol.md): mail for an added tag is
 * collected even if it was examined (and judged not ours) before; mail for a dropped tag that was in the mailbox
 * at the update is collected before the update resolves; later mail for it is left untouched.
 */
let mail: MailSystem;
beforeAll(async () => {
  mail = await startMailSystem({ messageSizeLimit: 2_000_000 });
}, 60_000);
afterAll(async () => {
  await mail?.close();
});

it('collects an added tag’s mail seen before, drains a dropped tag’s mail before resolving, and leaves later mail alone', async () => {
  const { alice, bob, addresses, book } = pairOn(mail);
  const carol = party('next epoch');
  // The next epoch's tag reaches Bob's mailbox, as a sender's address book would say.
  const shared = { ...book, [tagOf(carol)]: addresses.bob };
  const a = transport(accountInit(mail, addresses.alice, shared));
  await a.start({ routingTags: [tagOf(alice)], deliver: async () => undefined });
  const atBob = recorder();
  const b = transport(accountInit(mail, addresses.bob, shared, { pollIntervalMs: 500 }));
  await b.start({ routingTags: [tagOf(bob)], deliver: atBob.deliver });
  const inMailbox = async (count: number): Promise<void> => until(`${count} mails in Bob’s mailbox`, async () => (await peek(mail, addresses.bob)).length === count);

  // Carol's mail arrives first and is judged not Bob's; Bob's, after it, proves the scan got past it.
  const early = envelope(alice, carol);
  await a.send(early, routeOf(early));
  await inMailbox(1);
  const sentinel = envelope(alice, bob);
  await a.send(sentinel, routeOf(sentinel));
  await until('Bob’s envelope', () => atBob.ids.has(envelopeId(sentinel)));
  expect(atBob.ids.has(envelopeId(early)), 'mail for a tag not yet collected').toBe(false);

  await b.updateRoutingTags!([tagOf(bob), tagOf(carol)], { signal: AbortSignal.timeout(15_000) });
  await until('the mail for the added tag, examined before the update', () => atBob.ids.has(envelopeId(early)));

  const queued = [envelope(alice, carol), envelope(alice, carol)];
  for (const bytes of queued) await a.send(bytes, routeOf(bytes));
  await inMailbox(2);
  await b.updateRoutingTags!([tagOf(bob)], { signal: AbortSignal.timeout(15_000) });
  expect(queued.filter((bytes) => !atBob.ids.has(envelopeId(bytes))).length, 'mails of the dropped tag in the mailbox at the update, not delivered when it resolved').toBe(0);

  const late = envelope(alice, carol);
  await a.send(late, routeOf(late));
  await inMailbox(1);
  const last = envelope(alice, bob);
  await a.send(last, routeOf(last));
  await until('a later mail for Bob', () => atBob.ids.has(envelopeId(last)));
  await pause(300);
  expect(atBob.ids.has(envelopeId(late)), 'mail for the dropped tag sent after the update').toBe(false);
  expect((await peek(mail, addresses.bob)).map((stored) => stored.flags.size), 'the late mail stays, unflagged').toEqual([0]);
});
