import { expect, it } from 'vitest';
import type { Transport, TransportEvent, TransportHealth } from '@herald/core';
import type { CaseContext } from './context.js';

const HEALTH_STATES = ['up', 'degraded', 'down'];

export function expectWellFormedHealth(health: TransportHealth, label: string): void {
  expect(HEALTH_STATES, `${label}: state`).toContain(health.state);
  expect(Number.isFinite(health.since), `${label}: since is a time in ms`).toBe(true);
  expect(health.since, `${label}: since is not in the future`).toBeLessThanOrEqual(Date.now() + 1000);
  if (health.reason !== undefined) expect(typeof health.reason, `${label}: reason`).toBe('string');
  if (health.state !== 'up') expect(health.reason, `${label}: a ${health.state} channel says why`).toEqual(expect.any(String));
  if (health.lastSuccess !== undefined) {
    expect(Number.isFinite(health.lastSuccess), `${label}: lastSuccess is a time in ms`).toBe(true);
    expect(health.lastSuccess, `${label}: lastSuccess is not in the future`).toBeLessThanOrEqual(Date.now() + 1000);
  }
}

function expectWellFormedTransport(transport: Transport, role: string): void {
  expect(typeof transport.name, `${role}.name`).toBe('string');
  expect(transport.name.length, `${role}.name is not empty`).toBeGreaterThan(0);
  // Names end up in logs, receipts and errors: credentials must never be part of them.
  expect(transport.name, `${role}.name carries no user:password@`).not.toMatch(/\/\/[^/@\s]*:[^/@\s]*@/);
  const caps = transport.capabilities;
  expect(Number.isSafeInteger(caps.maxEnvelopeBytes) && caps.maxEnvelopeBytes > 0, `${role}.capabilities.maxEnvelopeBytes is a positive integer`).toBe(true);
  expect(typeof caps.requiresPeerOnline, `${role}.capabilities.requiresPeerOnline`).toBe('boolean');
  expect(typeof caps.storeAndForward, `${role}.capabilities.storeAndForward`).toBe('boolean');
  expect(caps.requiresPeerOnline && caps.storeAndForward, `${role}: a channel that stores and forwards cannot require the peer online`).toBe(false);
  expect(['push', 'poll'], `${role}.capabilities.delivery`).toContain(caps.delivery);
  expect(transport.capabilities, `${role}.capabilities are stable`).toEqual(caps);
}

export function shapeCases({ open, settings }: CaseContext): void {
  it('has a name and well-formed capabilities', { timeout: settings.testTimeoutMs }, async (context) => {
    const session = await open(context);
    expectWellFormedTransport(session.sender, 'sender');
    expectWellFormedTransport(session.receiver, 'receiver');
  });

  it('reports well-formed health once started', { timeout: settings.testTimeoutMs }, async (context) => {
    const session = await open(context);
    for (const [role, transport] of [['sender', session.sender], ['receiver', session.receiver]] as const) {
      const health = transport.health();
      expectWellFormedHealth(health, role);
      expect(health.state, `${role} is up once started on a working medium`).toBe('up');
    }
  });

  it('emits health changes to subscribers (stop makes it down), and nothing after unsubscribing', { timeout: settings.testTimeoutMs }, async (context) => {
    const session = await open(context);
    const kept: TransportEvent[] = [];
    const dropped: TransportEvent[] = [];
    session.sender.subscribe((event) => kept.push(event));
    const unsubscribe = session.sender.subscribe((event) => dropped.push(event));
    expect(typeof unsubscribe, 'subscribe returns its unsubscribe function').toBe('function');
    unsubscribe();
    await session.sender.stop();
    expect(session.sender.health().state, 'a stopped transport is down').toBe('down');
    await session.waitFor("a 'health' event with state 'down' after stop()", () => kept.some((event) => event.type === 'health' && event.health.state === 'down'));
    for (const event of kept) if (event.type === 'health') expectWellFormedHealth(event.health, 'event.health');
    expect(dropped, 'events after unsubscribing').toEqual([]);
  });
}
