import { describe, expect, it } from 'vitest';
import { generateIdentity, OptionsError, toHex, TransportError } from '@herald/core';
import { asTransportError, ComplianceOptionsSchema, routeOf, sealedFor, sealedOfSize, transportComplianceSuite, type ComplianceOptions } from '@herald/transport-compliance';

const alice = generateIdentity();
const bob = generateIdentity();
const carol = generateIdentity();

describe('fixtures', () => {
  it('routeOf reads the id, the routing tags and the expiry of a real envelope', () => {
    const envelope = sealedFor(alice, [bob, carol]);
    const route = routeOf(envelope);
    expect(route.messageId).toMatch(/^[0-9a-f]{32}$/);
    expect(route.routingTags).toEqual([toHex(bob.card.routingTag), toHex(carol.card.routingTag)]);
    expect(route.expiresAt).toBeGreaterThan(Date.now());
  });

  it('sealedOfSize builds a real envelope of exactly the size asked, or none when too small', () => {
    for (const size of [300, 4096, 65_537]) expect(sealedOfSize(alice, bob, size)?.length).toBe(size);
    expect(sealedOfSize(alice, bob, 10)).toBeUndefined();
  });

  it('asTransportError recognises TransportErrors by shape, nothing else', () => {
    expect(asTransportError(new TransportError('ABORTED', 'x', 'y'))).toMatchObject({ code: 'ABORTED', retryable: false, channel: 'x' });
    expect(asTransportError(new Error('plain'))).toBeUndefined();
    expect(asTransportError(Object.assign(new Error('fake'), { name: 'TransportError' }))).toBeUndefined();
  });
});

describe('transportComplianceSuite options', () => {
  const setup = async (): Promise<never> => {
    throw new Error('never called');
  };
  it.each([
    [{ timeoutMs: 5 }, /^transportComplianceSuite: timeoutMs: expected whole milliseconds from 100 to 600000, got 5$/],
    [{ timeoutMs: '10s' }, /^transportComplianceSuite: timeoutMs: expected whole milliseconds from 100 to 600000, got "10s"$/],
    [{ settleMs: 1.5 }, /^transportComplianceSuite: settleMs: expected whole milliseconds from 10 to 60000, got 1.5$/],
    [{ concurrentSends: 1 }, /^transportComplianceSuite: concurrentSends: expected whole envelopes from 2 to 1000, got 1$/],
    [{ provesMailboxes: 'yes' }, /^transportComplianceSuite: provesMailboxes: expected true or false, got "yes"$/],
    [{ concurrentSends: 1001 }, /^transportComplianceSuite: concurrentSends: expected whole envelopes from 2 to 1000, got 1001$/],
    [{ timeout: 5_000 }, /^transportComplianceSuite: unknown option "timeout" \(known: timeoutMs, settleMs, concurrentSends, provesMailboxes\)$/],
    [null, /^transportComplianceSuite: expected an object of options, got null$/],
  ])('refuses %j before registering anything', (options, message) => {
    expect(() => transportComplianceSuite('x', setup, options as ComplianceOptions)).toThrow(OptionsError);
    expect(() => transportComplianceSuite('x', setup, options as ComplianceOptions)).toThrow(message);
  });

  it('documents the defaults it fills in', () => {
    expect(ComplianceOptionsSchema.properties.timeoutMs.default).toBe(10_000);
    expect(ComplianceOptionsSchema.properties.settleMs.default).toBe(500);
    expect(ComplianceOptionsSchema.properties.concurrentSends.default).toBe(50);
  });
});
