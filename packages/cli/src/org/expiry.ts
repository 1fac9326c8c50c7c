import { UsageError } from '../errors.js';
import { parseDuration } from '../duration.js';

const YEAR_SECONDS = 365 * 24 * 3600;

/** `--expires`: a duration (30d, 1y, 2w, or what parseDuration takes) or an ISO date; returns ms since the epoch. */
export function expiryFlag(value: string | undefined, now = Date.now()): number {
  if (value === undefined) return now + YEAR_SECONDS * 1000;
  const match = /^(\d{1,4})([yw])$/i.exec(value.trim());
  if (match) return now + Number(match[1]) * (match[2]!.toLowerCase() === 'y' ? YEAR_SECONDS : 7 * 24 * 3600) * 1000;
  const seconds = parseDuration(value);
  if (seconds !== undefined) return now + seconds * 1000;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const date = Date.parse(value);
    if (Number.isFinite(date) && date > now) return date;
  }
  throw new UsageError(`--expires must be a duration such as 30d, 2w, 1y or a future date such as 2027-06-30; got '${value}'`);
}
