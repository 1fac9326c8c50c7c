import { identityFromSecrets, type Identity } from '@herald/core';
import { bytesOf } from '../helpers.js';

/** An identity whose card claims `epochSeconds` without being a signed version-2 card: enough for the blinding maths. */
export function epochIdentity(epochSeconds: number, seed = 11): Identity {
  const identity = identityFromSecrets(bytesOf(32, seed), bytesOf(32, seed + 1), 'epoch', 1_700_000_000);
  return { ...identity, card: { ...identity.card, epochSeconds } };
}
