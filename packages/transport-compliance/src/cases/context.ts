import type { TestContext } from 'vitest';
import type { ResolvedComplianceOptions } from '../options.js';
import type { Session } from '../session.js';

/** What each group of cases needs: a way to open a session per test, and the suite's settings. */
export interface CaseContext {
  readonly open: (context: TestContext, options?: { startReceiver?: boolean }) => Promise<Session>;
  readonly settings: ResolvedComplianceOptions;
}
