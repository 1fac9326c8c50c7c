import { OptionsError } from '../errors.js';
import type { NodeInit } from './api.js';
import { DEFAULT_MAX_RECEIVED_MESSAGES } from './received.js';

/** Default `retainFinishedMs`: finished outbox records are kept a week. */
export const DEFAULT_RETAIN_FINISHED_MS = 7 * 24 * 60 * 60 * 1000;

export interface ResolvedNodeLimits {
  readonly retainFinishedMs: number;
  readonly maxReceivedMessages: number;
}

/** Checks `createNode`'s init (OptionsError naming the field) and fills in the documented defaults of its limits. */
export function checkNodeInit(init: NodeInit): ResolvedNodeLimits {
  if (typeof init !== 'object' || init === null) throw new OptionsError('createNode: init is required');
  if (!init.identity?.card) throw new OptionsError('identity: expected an Identity');
  if (!init.store || typeof init.store.receive !== 'function') throw new OptionsError('store: expected a HeraldStore');
  if (!Array.isArray(init.channels)) throw new OptionsError('channels: expected an array of transports');
  const names = new Set<string>();
  for (const channel of init.channels) {
    if (!channel || typeof channel.send !== 'function' || typeof channel.name !== 'string') throw new OptionsError('channels: every entry must implement Transport');
    if (names.has(channel.name)) throw new OptionsError(`channels: ${channel.name} is listed twice`);
    names.add(channel.name);
  }
  if (init.prekeys !== undefined && (typeof init.prekeys !== 'object' || typeof init.prekeys?.get !== 'function')) throw new OptionsError('prekeys: expected a PrekeySecretStore');
  const retain = init.retainFinishedMs;
  if (retain !== undefined && (typeof retain !== 'number' || !Number.isFinite(retain) || retain < 0)) throw new OptionsError(`retainFinishedMs: expected a non-negative number of ms, got ${String(retain)}`);
  const maxReceived = init.maxReceivedMessages;
  if (maxReceived !== undefined && (!Number.isSafeInteger(maxReceived) || maxReceived < 1)) throw new OptionsError(`maxReceivedMessages: expected a whole number of at least 1, got ${String(maxReceived)}`);
  return { retainFinishedMs: retain ?? DEFAULT_RETAIN_FINISHED_MS, maxReceivedMessages: maxReceived ?? DEFAULT_MAX_RECEIVED_MESSAGES };
}
