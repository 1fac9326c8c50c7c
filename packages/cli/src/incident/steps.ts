import type { Card } from '@herald/core';

export interface StepsInput {
  readonly revoked: Card;
  /** The authority's list file. */
  readonly path: string;
  readonly relaysNotTold: readonly string[];
  readonly unacked: readonly Card[];
  readonly dataDir: string;
}

/** What the tool cannot do for the operator, in the order of docs/operations.md's runbook. */
export function remainingSteps(input: StepsInput): string {
  const steps = [
    input.unacked.length > 0
      ? `Members not yet holding the list (${input.unacked.map((card) => card.label).join(', ')}): it stays in the outbox; run herald flush --data-dir ${input.dataDir} until they acknowledge, or carry ${input.path} to them (herald trust revocations FILE).`
      : undefined,
    input.relaysNotTold.length > 0 ? `Relays not told (${input.relaysNotTold.join(', ')}): run this again when they are reachable, or copy ${input.path} over their --admit-revocations file.` : undefined,
    `Copy ${input.path} over every relay's --admit-revocations file: a pushed list does not survive a relay restart.`,
    'Relays that admit by allow-list (--allow-depositor, --allow-collector) and brokers with their own accounts: remove the key there; a revocation list does not reach them.',
    `Treat everything ${input.revoked.label} could read as read: mail delivered to the device, and anything still sealed to its key (see docs/threat-model.md, seizure bounds). Tell the senders.`,
    `Give ${input.revoked.label} a new key on a clean device (herald keygen), certify it (herald org certify), and hand its card to the members; a revoked key cannot name a successor.`,
    'Watch for the key: refusals with code REVOKED (herald listen, herald_node_refused_total) show it is still being used.',
  ].filter((step): step is string => step !== undefined);
  return `remaining steps:\n${steps.map((step, index) => `  ${index + 1}. ${step}`).join('\n')}`;
}
