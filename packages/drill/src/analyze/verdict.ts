import type { ExactlyOnce } from './exactly-once.js';
import type { TargetResult } from './targets.js';

export interface Verdict {
  readonly passed: boolean;
  /** Why the drill failed, one line per kind of failure; empty when it passed. */
  readonly reasons: readonly string[];
}

/**
 * A drill passes only when it ran to its end, every message the applications
 * enqueued reached every recipient once, no send was refused and every target
 * was met; the CLI exits non-zero otherwise, so teams can gate their CI on it.
 */
export function verdict(judged: Pick<ExactlyOnce, 'lost' | 'duplicates'>, sendFailed: number, targets: readonly TargetResult[], interrupted = false): Verdict {
  const reasons: string[] = [];
  // Cut short, a drill proves nothing, even if all that was sent so far arrived.
  if (interrupted) reasons.push('interrupted');
  if (judged.lost.length > 0) reasons.push(`${judged.lost.length} lost`);
  if (judged.duplicates.length > 0) reasons.push(`${judged.duplicates.length} duplicated`);
  // A refused send is a message the application could not get through, even though Herald said so.
  if (sendFailed > 0) reasons.push(`${sendFailed} refused at send`);
  const missed = targets.filter((target) => !target.ok).length;
  if (missed > 0) reasons.push(`${missed} target(s) missed`);
  return { passed: reasons.length === 0, reasons };
}
