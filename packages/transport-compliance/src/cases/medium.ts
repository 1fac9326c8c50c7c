import { expect, it } from 'vitest';
import type { TransportEvent } from '@herald/core';
import { asTransportError, routeOf } from '../fixtures.js';
import { expectWellFormedHealth } from './shape.js';
import type { CaseContext } from './context.js';

export function mediumCases({ open, settings }: CaseContext): void {
  it('reports a cut medium (send fails retryably, health leaves up, events emitted) and recovers when restored', { timeout: settings.testTimeoutMs }, async (context) => {
    const session = await open(context);
    const { disrupt, restore } = session.harness;
    if (!disrupt || !restore) return context.skip('the harness has no disrupt()/restore()');
    const events: { role: string; event: TransportEvent }[] = [];
    session.sender.subscribe((event) => events.push({ role: 'sender', event }));
    session.receiver.subscribe((event) => events.push({ role: 'receiver', event }));
    const healthEvent = (role: string, up: boolean): boolean => events.some(({ role: from, event }) => from === role && event.type === 'health' && (event.health.state === 'up') === up);

    await disrupt.call(session.harness);
    let failure: unknown;
    try {
      await session.send(session.envelopeFor(session.parties.receiver), AbortSignal.timeout(Math.min(2_000, settings.timeoutMs)));
    } catch (error) {
      failure = error;
    }
    const shaped = asTransportError(failure);
    expect(shaped, `send over a cut medium rejects with a TransportError (got ${String(failure)})`).toBeDefined();
    expect(shaped!.retryable || shaped!.code === 'ABORTED', `a cut medium is a retryable failure (got ${shaped!.code})`).toBe(true);
    for (const [role, transport] of [['sender', session.sender], ['receiver', session.receiver]] as const) {
      await session.waitFor(`the ${role} to report the cut through health()`, () => transport.health().state !== 'up');
      expectWellFormedHealth(transport.health(), role);
      await session.waitFor(`the ${role} to emit a health event leaving 'up'`, () => healthEvent(role, false));
    }

    events.length = 0;
    await restore.call(session.harness);
    for (const [role, transport] of [['sender', session.sender], ['receiver', session.receiver]] as const) {
      await session.waitFor(`the ${role} to report 'up' after restore()`, () => transport.health().state === 'up');
      await session.waitFor(`the ${role} to emit a health event back to 'up'`, () => healthEvent(role, true));
    }
    const envelope = session.envelopeFor(session.parties.receiver);
    await session.send(envelope);
    const id = routeOf(envelope).messageId;
    await session.waitFor('an envelope sent after restore() to arrive', () => session.receiverInbox.accepted(id) > 0);
  });
}
