const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 60 * 60, d: 24 * 60 * 60 };

/**
 * Parses "30s", "10m", "1h", "7d" or plain seconds ("3600") into whole seconds.
 * Returns undefined for anything else, including zero, fractions and signs,
 * so the caller can phrase the usage error in terms of its own flag.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,12})([smhd]?)$/i.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = UNIT_SECONDS[(match[2] ?? '').toLowerCase() || 's'];
  if (unit === undefined || amount === 0) return undefined;
  const seconds = amount * unit;
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** The inverse for messages: the largest unit that divides evenly. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
