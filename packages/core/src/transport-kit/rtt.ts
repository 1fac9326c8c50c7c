/**
 * Round-trip time of one channel, estimated as TCP's retransmission timer does
 * (RFC 6298): SRTT and RTTVAR smoothed from every measured exchange, and
 * timeouts of `n × SRTT + max(G, 4 × RTTVAR)`. Every timeout that decides a
 * channel's health or a resend (connect, authentication, heartbeat, per-send,
 * the node's send attempt and ack deadline) is taken from here, so a link with
 * a satellite's latency gets timeouts it can meet and a fast one keeps its own.
 *
 * A timeout is never below its floor (the configured value: a fast link keeps
 * the timeout it was given) nor above its ceiling (a broken link is still
 * noticed); before the first sample it is the floor. After a timeout the next
 * ones are doubled (RFC 6298 5.5, at most 8×) until a fresh sample arrives.
 */
export interface RoundTripEstimate {
  /** Smoothed round-trip time, ms. */
  readonly srttMs: number;
  /** Round-trip time variation, ms. */
  readonly rttvarMs: number;
  readonly samples: number;
}

export interface RoundTripTimer {
  /** A measured round trip (request out, its answer back), in ms. */
  sample(ms: number): void;
  /** A timeout taken from this timer fired: back off until the next sample. */
  timedOut(): void;
  estimate(): RoundTripEstimate | undefined;
  /**
   * The timeout for an exchange of `roundTrips` round trips (plus `extraMs` of known waiting):
   * `extraMs + roundTrips × SRTT + max(G, 4 × RTTVAR)`, backed off, within [floorMs, ceilingMs].
   */
  timeout(floorMs: number, ceilingMs: number, roundTrips?: number, extraMs?: number): number;
}

/** RFC 6298's gains: α = 1/8, β = 1/4, K = 4. */
const ALPHA = 1 / 8;
const BETA = 1 / 4;
const K = 4;
/** Clock granularity G: timers here are milliseconds, but the event loop adds a few; 10 ms keeps a steady link's timeout off its exact RTT. */
const GRANULARITY_MS = 10;
/** Backoff after timeouts: doubled each time, at most this factor (RFC 6298 allows 60 s overall; the ceiling bounds it too). */
const MAX_BACKOFF = 8;
/** A sample above this is a stall, not a round trip (a blackholed link answering at last): ignored. */
const MAX_SAMPLE_MS = 120_000;

export function roundTripTimer(): RoundTripTimer {
  let srtt: number | undefined;
  let rttvar = 0;
  let samples = 0;
  let backoff = 1;
  return {
    sample(ms) {
      if (!Number.isFinite(ms) || ms < 0 || ms > MAX_SAMPLE_MS) return;
      if (srtt === undefined) {
        srtt = ms;
        rttvar = ms / 2;
      } else {
        rttvar = (1 - BETA) * rttvar + BETA * Math.abs(srtt - ms);
        srtt = (1 - ALPHA) * srtt + ALPHA * ms;
      }
      samples++;
      backoff = 1;
    },
    timedOut() {
      backoff = Math.min(MAX_BACKOFF, backoff * 2);
    },
    estimate: () => (srtt === undefined ? undefined : { srttMs: srtt, rttvarMs: rttvar, samples }),
    timeout(floorMs, ceilingMs, roundTrips = 1, extraMs = 0) {
      const estimate = srtt === undefined ? undefined : { srttMs: srtt, rttvarMs: rttvar, samples };
      return followRoundTrip(estimate, floorMs, ceilingMs, roundTrips, extraMs, backoff);
    },
  };
}

/**
 * A timeout for an exchange of `roundTrips` round trips on a link with this estimate (or none yet):
 * `max(floorMs, extraMs + roundTrips × SRTT + max(G, 4 × RTTVAR)) × backoff`, at most `ceilingMs`
 * (a floor above the ceiling wins: a configured timeout is never shortened). Without an estimate: the floor × backoff.
 */
export function followRoundTrip(estimate: RoundTripEstimate | undefined, floorMs: number, ceilingMs: number, roundTrips = 1, extraMs = 0, backoff = 1): number {
  const ceiling = Math.max(floorMs, ceilingMs);
  if (estimate === undefined) return Math.min(ceiling, floorMs * backoff);
  const rto = extraMs + roundTrips * estimate.srttMs + Math.max(GRANULARITY_MS, K * estimate.rttvarMs);
  // RFC 6298 doubles the timeout already held to its minimum (2.4, 5.5): a fast link's estimate that stops being true
  // (its route moved onto a satellite) still gets twice the floor after a time out, not the floor again.
  return Math.round(Math.min(ceiling, Math.max(floorMs, rto) * backoff));
}

/** Ceilings of the timeouts taken from a round-trip timer (docs/architecture.md, "Timeouts that follow the round trip"). */
export const TIMEOUT_CEILINGS = Object.freeze({
  /** Connecting and authenticating (TCP, TLS, upgrade or CONNECT, the relay's challenge). */
  connectMs: 60_000,
  /** Silence before a link is declared dead (WebSocket heartbeat, MQTT keep-alive). */
  heartbeatMs: 60_000,
  /** One send waiting for the relay's, broker's or server's acceptance. */
  sendMs: 120_000,
  /** The node's wait for an end-to-end ack before it resends over the next channel. */
  ackDeadlineMs: 600_000,
});
