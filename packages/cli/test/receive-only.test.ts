import { describe, expect, it } from 'vitest';
import { dirTransport } from '@herald/transport-dir';
import { collectingOnly } from '../src/receive-only.js';

describe('collectingOnly (the CLI relay channel)', () => {
  it('passes the measured round trip on to the node, which sizes its timeouts from it', () => {
    const estimate = { srttMs: 1_200, rttvarMs: 80, samples: 12 };
    // Never started: only its shape is used.
    const plain = dirTransport({ path: '/nonexistent/herald-test' });
    expect(collectingOnly({ ...plain, roundTrip: () => estimate }, 'ab').roundTrip?.()).toEqual(estimate);
    expect(collectingOnly(plain, 'ab').roundTrip, 'a channel without a round trip stays without').toBeUndefined();
  });
});
