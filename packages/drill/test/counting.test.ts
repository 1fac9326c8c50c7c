import { describe, expect, it } from 'vitest';
import { dirTransport } from '@herald/transport-dir';
import { counted } from '../src/child/counting.js';

describe("the drill node's byte-counting wrapper", () => {
  it('passes the measured round trip on, so the drill measures a node that sizes its timeouts from it', () => {
    const estimate = { srttMs: 1_200, rttvarMs: 80, samples: 12 };
    const bytes = { sent: {}, received: {} };
    // Never started: only its shape is used.
    const plain = dirTransport({ path: '/nonexistent/herald-test' });
    expect(counted({ ...plain, roundTrip: () => estimate }, bytes).roundTrip?.()).toEqual(estimate);
    expect(counted(plain, bytes).roundTrip, 'a channel without a round trip stays without').toBeUndefined();
  });
});
