import { toHex } from '@herald/core';
import { fingerprintBytes, issueRevocationList, type RevocationInput } from '@herald/trust';
import type { DrillNode } from './nodes.js';
import type { FaultAction } from './scenario/types.js';
import type { Built } from './topology/build.js';

/**
 * Revoke faults: the authority signs its complete list (every key revoked so far, under a serial one higher each
 * time) and the operator node takes it and sends it to every other node, as `herald incident lost-device` does.
 * `publish` throws when it cannot (no authority, operator down): the fault is then reported as failed.
 */
export function revocations(built: Built, nodes: ReadonlyMap<string, DrillNode>): { publish(action: Extract<FaultAction, { kind: 'revoke' }>): void } {
  const entries: RevocationInput[] = [];
  return {
    publish(action) {
      const revoked = built.cards.get(action.target);
      if (!built.authority || !revoked) throw new Error('no drill authority (the topology makes one for revoke faults)');
      entries.push({ fingerprint: fingerprintBytes(revoked.signingPublicKey), reason: action.reason });
      const list = issueRevocationList({ issuer: built.authority, serial: entries.length, entries });
      if (!nodes.get(action.by)?.command({ cmd: 'publish-revocations', list: toHex(list.bytes), except: [action.target] })) throw new Error(`the operator node ${action.by} is down`);
    },
  };
}
