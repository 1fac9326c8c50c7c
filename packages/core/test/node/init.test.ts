import { describe, expect, it } from 'vitest';
import { createNode, DEFAULT_ACK_DEADLINE_MS, DEFAULT_RETAIN_FINISHED_MS, generateIdentity, memoryPrekeySecretStore, memoryStore, NodeInitSchema, OptionsError, type NodeInit } from '@herald/core';
import { resolvePolicy } from '../../src/node/policy.js';
import { memoryMedium } from './memory-transport.js';

/**
 * createNode's options are declared once (NodeInitSchema): each refusal names createNode and the field, says what
 * was expected and, for a value, what was given; unknown keys are refused with the known ones.
 */
const identity = generateIdentity({ label: 'Alice' });
const medium = memoryMedium();
const valid = (): NodeInit => ({ identity, store: memoryStore(), channels: [medium.channel('a')] });

function refusal(init: unknown): string {
  try {
    createNode(init as NodeInit);
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    return (error as OptionsError).message;
  }
  throw new Error('createNode accepted it');
}

describe('createNode options', () => {
  it.each<[string, unknown, string]>([
    ['no init', undefined, 'createNode: init is required ({ identity, store, channels })'],
    ['no identity', { store: memoryStore(), channels: [] }, 'createNode: identity: expected an Identity (generateIdentity, readSecretKeyFile), got undefined'],
    ['an identity without a card', { ...valid(), identity: {} }, 'createNode: identity: expected an Identity (generateIdentity, readSecretKeyFile)'],
    ['no store', { identity, channels: [] }, 'createNode: store: expected a HeraldStore (memoryStore, lmdbStore), got undefined'],
    ['a store without receive', { ...valid(), store: {} }, 'createNode: store: expected a HeraldStore (memoryStore, lmdbStore)'],
    ['channels not a list', { ...valid(), channels: 'ws://relay' }, 'createNode: channels: expected an array of transports, got "ws://relay"'],
    ['a channel that is no Transport', { ...valid(), channels: [medium.channel('b'), { name: 'x' }] }, 'createNode: channels[1]: expected a Transport'],
    ['a channel listed twice', { ...valid(), channels: [medium.channel('c'), medium.channel('c')] }, 'createNode: channels[1]: c is listed twice'],
    ['prekeys without get', { ...valid(), prekeys: {} }, 'createNode: prekeys: expected a PrekeySecretStore'],
    ['prekeys null', { ...valid(), prekeys: null }, 'createNode: prekeys: expected a PrekeySecretStore'],
    ['a negative retention', { ...valid(), retainFinishedMs: -1 }, 'createNode: retainFinishedMs: expected a non-negative number of milliseconds, got -1'],
    ['an endless retention', { ...valid(), retainFinishedMs: Number.POSITIVE_INFINITY }, 'createNode: retainFinishedMs: expected a non-negative number of milliseconds, got Infinity'],
    ['a retention in words', { ...valid(), retainFinishedMs: '7d' }, 'createNode: retainFinishedMs: expected a non-negative number of milliseconds, got "7d"'],
    ['no room for a message', { ...valid(), maxReceivedMessages: 0 }, `createNode: maxReceivedMessages: expected whole messages from 1 to ${Number.MAX_SAFE_INTEGER}, got 0`],
    ['a fraction of a message', { ...valid(), maxReceivedMessages: 2.5 }, `createNode: maxReceivedMessages: expected whole messages from 1 to ${Number.MAX_SAFE_INTEGER}, got 2.5`],
    ['a flag in words', { ...valid(), requireKnownSender: 'no' }, 'createNode: requireKnownSender: expected true or false, got "no"'],
    ['retired identities not a list', { ...valid(), retiredIdentities: identity }, 'createNode: retiredIdentities: expected an array of retired identities, got an object'],
    ['channels as a set', { ...valid(), channels: new Set([medium.channel('d')]) }, 'createNode: channels: expected an array of transports, got a Set'],
  ])('refuses %s', (_, init, message) => {
    expect(refusal(init)).toBe(message);
  });

  it.each<[string, unknown, string]>([
    ['a precedence that does not exist', { fanOut: ['FLASH', 'URGENT'] }, 'createNode: policy.fanOut[1]: expected one of FLASH, IMMEDIATE, PRIORITY, ROUTINE, got "URGENT"'],
    ['an ack deadline of no time', { ackDeadlineMs: { FLASH: 0 } }, 'createNode: policy.ackDeadlineMs.FLASH: expected a positive number of milliseconds, got 0'],
    ['an ack deadline for an unknown precedence', { ackDeadlineMs: { URGENT: 1000 } }, 'createNode: policy.ackDeadlineMs: unknown option "URGENT" (known: FLASH, IMMEDIATE, PRIORITY, ROUTINE)'],
    ['a shrinking hedge', { ackDeadlineGrowth: 0.5 }, 'createNode: policy.ackDeadlineGrowth: expected a number of at least 1, got 0.5'],
    ['half a retry', { retriesPerChannel: 1.5 }, 'createNode: policy.retriesPerChannel: expected a whole number of retries, at least 0, got 1.5'],
    ['a negative delay', { retryMinDelayMs: -1 }, 'createNode: policy.retryMinDelayMs: expected a positive number of milliseconds, got -1'],
    ['an endless send timeout', { sendTimeoutMs: Number.POSITIVE_INFINITY }, 'createNode: policy.sendTimeoutMs: expected a positive number of milliseconds, got Infinity'],
    ['no concurrency', { maxConcurrentSends: 0 }, 'createNode: policy.maxConcurrentSends: expected a whole number of sends, at least 1, got 0'],
    ['padding in words', { pad: 'yes' }, 'createNode: policy.pad: expected true or false, got "yes"'],
    ['a forbidden channel that is no name', { forbid: { precedence: { ROUTINE: [''] } } }, 'createNode: policy.forbid.precedence.ROUTINE[0]: expected a non-empty string, got ""'],
    ['a forward secrecy mode that does not exist', { forwardSecrecy: 'sometimes' }, 'createNode: policy.forwardSecrecy: expected required, preferred, off or rules ({ default, precedence, recipient, channel }), got "sometimes"'],
    ['a channel rule with an unknown mode', { forwardSecrecy: { channel: { mqtt: 'always' } } }, 'createNode: policy.forwardSecrecy.channel.mqtt: expected one of required, preferred, off, got "always"'],
    ['a channel rule without a prefix', { forwardSecrecy: { channel: { '': 'required' } } }, 'createNode: policy.forwardSecrecy.channel: a rule needs a channel name prefix such as mqtt or dir:'],
    ['an unknown policy field', { breakerTreshold: 3 }, 'createNode: policy: unknown option "breakerTreshold" (known: fanOut, ackDeadlineMs, ackDeadlineGrowth, retriesPerChannel, retryMinDelayMs, maxBackoffMs, sendTimeoutMs, breakerThreshold, breakerCooldownMs, forbid, maxConcurrentSends, pad, forwardSecrecy)'],
  ])('refuses a policy with %s', (_, policy, message) => {
    expect(refusal({ ...valid(), policy })).toBe(message);
  });

  it('fills in the policy defaults, and keeps the default of a precedence given no deadline', () => {
    const policy = { ackDeadlineMs: { FLASH: 5_000, ROUTINE: undefined } };
    expect(() => createNode({ ...valid(), policy: policy as never })).not.toThrow();
    expect(resolvePolicy(policy as never)).toMatchObject({ fanOut: ['FLASH'], ackDeadlineMs: { ...DEFAULT_ACK_DEADLINE_MS, FLASH: 5_000 }, retriesPerChannel: 2, pad: true, forwardSecrecy: { default: 'preferred' } });
  });

  it('refuses an unknown option, naming the known ones', () => {
    const message = refusal({ ...valid(), maxRecievedMessages: 10 });
    expect(message).toMatch(/^createNode: unknown option "maxRecievedMessages" \(known: identity, contacts, store, channels, policy, /);
    expect(message).toContain('maxReceivedMessages');
  });

  it('takes every option, and only the three it needs', () => {
    expect(() => createNode(valid())).not.toThrow();
    const full: NodeInit = {
      ...valid(),
      contacts: new Set([generateIdentity().card]),
      policy: { pad: false },
      requireKnownSender: false,
      retainFinishedMs: 0,
      maxReceivedMessages: 1,
      retiredIdentities: [],
      prekeys: memoryPrekeySecretStore(identity),
      prekeyRotation: { everySeconds: 60 },
    };
    expect(() => createNode(full)).not.toThrow();
  });

  it('documents every default in the schema it checks against', () => {
    expect(NodeInitSchema.properties.retainFinishedMs.default).toBe(DEFAULT_RETAIN_FINISHED_MS);
    expect(NodeInitSchema.properties.maxReceivedMessages.default).toBe(1000);
    expect(NodeInitSchema.properties.requireKnownSender.default).toBe(true);
    for (const [field, schema] of Object.entries(NodeInitSchema.properties)) expect((schema as { description?: string }).description, field).toMatch(/\S/);
  });
});
