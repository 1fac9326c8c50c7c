/**
 * The node's idea of the time: this machine's clock corrected by the offset that authenticated sources report
 * (a relay's handshake). Posts without network time have clocks hours off; sealing and checking with the
 * corrected time lets their messages through. Offsets beyond `MAX_CLOCK_OFFSET_MS` are refused, not applied.
 */

/** The largest correction a node applies (24 h): a clock further off is refused and reported. */
export const MAX_CLOCK_OFFSET_MS = 24 * 60 * 60 * 1000;
/** An offset at least this large (30 s) is reported; smaller ones are corrected silently. */
export const CLOCK_WARN_MS = 30_000;

/** Told once per source (and again when that source's offset moves by CLOCK_WARN_MS or more). */
export interface ClockEvent {
  readonly type: 'clock';
  /** How far the source's clock is ahead of this machine's, in ms (negative: behind). */
  readonly offsetMs: number;
  /** Where it was seen: `relay <channel>` (corrects this node) or `contact <fingerprint>` (that contact's clock). */
  readonly source: string;
  /** Whether this node now seals and checks with its clock moved by `offsetMs`. */
  readonly applied: boolean;
  /** Why it was not applied (beyond the 24 h bound, or a contact's clock). */
  readonly reason?: string;
}

export interface NodeClock {
  /** Corrected time, ms since the Unix epoch. */
  now(): number;
  /** The correction applied now, ms. */
  offsetMs(): number;
  /** An offset reported by a source this node corrects from (a relay it authenticated to). */
  observe(source: string, offsetMs: number): void;
  /** A contact's clock, from the signed creation time of what it sent: reported, never applied. */
  peer(fingerprint: string, offsetMs: number): void;
}

export function nodeClock(emit: (event: ClockEvent) => void, base: () => number = Date.now): NodeClock {
  /** The latest offset of each correcting source within the bound; the correction is their median. */
  const sources = new Map<string, number>();
  /** The offset last reported per source, so each is told once. */
  const told = new Map<string, number>();
  let offset = 0;

  const tell = (event: ClockEvent): void => {
    const before = told.get(event.source);
    const quiet = before === undefined ? Math.abs(event.offsetMs) < CLOCK_WARN_MS : Math.abs(event.offsetMs - before) < CLOCK_WARN_MS;
    if (quiet) return;
    told.set(event.source, event.offsetMs);
    emit(event);
  };

  return {
    now: () => base() + offset,
    offsetMs: () => offset,
    observe(source, offsetMs) {
      if (!Number.isFinite(offsetMs)) return;
      const rounded = Math.round(offsetMs);
      if (Math.abs(rounded) > MAX_CLOCK_OFFSET_MS) {
        sources.delete(source);
        tell({ type: 'clock', source, offsetMs: rounded, applied: false, reason: 'more than 24 h off: not corrected' });
      } else {
        sources.set(source, rounded);
        tell({ type: 'clock', source, offsetMs: rounded, applied: true });
      }
      offset = median([...sources.values()]);
    },
    peer(fingerprint, offsetMs) {
      if (!Number.isFinite(offsetMs)) return;
      tell({ type: 'clock', source: `contact ${fingerprint}`, offsetMs: Math.round(offsetMs), applied: false, reason: "that contact's clock" });
    },
  };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}
