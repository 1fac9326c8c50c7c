import { parseCard, type Card, type HeraldNode } from '@herald/core';
import { REVOCATION_CONTENT_TYPE, createTrust, parseChain, type Trust } from '@herald/trust';
import type { NodeConfig, NodeEventLine } from './protocol.js';

/** A drill node's organisation trust (drills with a revoke fault): the policy, and what it reports. */
export interface DrillTrust {
  readonly trust: Trust;
  /** Reports every contact newly refused as revoked (a `refuses` line), now and at each new list. */
  watch(): void;
  /** The operator's step: take `listHex`, then send it FLASH to every contact but `except`. */
  publish(node: HeraldNode, listHex: string, except: readonly string[]): Promise<void>;
}

export async function drillTrust(config: NodeConfig, self: Card, contacts: Readonly<Record<string, Card>>, say: (event: NodeEventLine) => void): Promise<DrillTrust | undefined> {
  if (!config.trust) return undefined;
  const trust = await createTrust({ anchors: [parseCard(config.trust.authority)], chain: parseChain(config.trust.chain), self });
  const refused = new Set<string>();
  const check = (): void => {
    for (const [name, card] of Object.entries(contacts)) {
      if (refused.has(name) || !trust.revoked(card)) continue;
      refused.add(name);
      say({ ev: 'refuses', contact: name, at: Date.now() });
    }
  };
  return {
    trust,
    watch() {
      // Subscribed after the node's start, so the node's own listener (which drops the key's prekeys) runs first.
      trust.subscribe((event) => {
        if (event.type === 'revocations') check();
      });
      check();
    },
    async publish(node, listHex, except) {
      const list = Uint8Array.from(Buffer.from(listHex, 'hex'));
      await trust.importRevocationList(list);
      const members = Object.entries(contacts).filter(([name]) => !except.includes(name));
      for (const [, card] of members) await node.send(card, list, { contentType: REVOCATION_CONTENT_TYPE, precedence: 'FLASH', ttl: 3600 });
    },
  };
}
