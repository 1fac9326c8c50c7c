import { checkOptions, flagOption, OptionType, wholeOption, type OptionsOf } from '@herald/core';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_SETTLE_MS = 500;
export const DEFAULT_CONCURRENT_SENDS = 50;

/**
 * The suite's options, declared once: the schema yields `ComplianceOptions`, and `resolveComplianceOptions` checks
 * every field against it (whole numbers in their unit and range, unknown keys refused) before registering any test.
 * Each description states the default.
 */
export const ComplianceOptionsSchema = OptionType.Object(
  {
    timeoutMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_TIMEOUT_MS, 100, 600_000, 'milliseconds', 'Longest the suite waits for anything expected (an arrival, a health change). Default 10 000 ms; 100 ms to 10 min.')),
    settleMs: OptionType.ReadonlyOptional(
      wholeOption(DEFAULT_SETTLE_MS, 10, 60_000, 'milliseconds', 'How long the suite keeps watching before it concludes something did NOT happen (a duplicate, a misdelivery). Make it several poll intervals. Default 500 ms; 10 ms to 1 min.'),
    ),
    concurrentSends: OptionType.ReadonlyOptional(wholeOption(DEFAULT_CONCURRENT_SENDS, 2, 1000, 'envelopes', 'Envelopes sent at once in the concurrency case. Default 50; 2 to 1000.')),
    provesMailboxes: OptionType.ReadonlyOptional(
      flagOption(
        false,
        "The transport collects only mailboxes its own identity proves (a relay's AUTH and MAILBOX_AUTH): it cannot be handed another party's tag, so the case that adds the stranger's tag with updateRoutingTags is skipped, with that said; the adapter's own tests must update its identity's epoch tags instead. Default false.",
      ),
    ),
  },
  { additionalProperties: false },
);

/** How an adapter tunes the suite (ComplianceOptionsSchema describes each field and its default). */
export interface ComplianceOptions extends OptionsOf<typeof ComplianceOptionsSchema> {}

export interface ResolvedComplianceOptions {
  readonly timeoutMs: number;
  readonly settleMs: number;
  readonly concurrentSends: number;
  readonly provesMailboxes: boolean;
  /** Per-test timeout given to vitest: enough for the slowest case's waits. */
  readonly testTimeoutMs: number;
}

/** Checks the options (OptionsError `transportComplianceSuite: field: …`) and fills in the defaults. */
export function resolveComplianceOptions(options: ComplianceOptions): ResolvedComplianceOptions {
  checkOptions(ComplianceOptionsSchema, options, 'transportComplianceSuite');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const concurrentSends = options.concurrentSends ?? DEFAULT_CONCURRENT_SENDS;
  return { timeoutMs, settleMs, concurrentSends, provesMailboxes: options.provesMailboxes ?? false, testTimeoutMs: 6 * timeoutMs + 6 * settleMs + 10_000 };
}
