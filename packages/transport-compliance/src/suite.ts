import { describe } from 'vitest';
import { deliveryCases } from './cases/delivery.js';
import { lifecycleCases } from './cases/lifecycle.js';
import { mediumCases } from './cases/medium.js';
import { redeliveryCases } from './cases/redelivery.js';
import { refusalCases } from './cases/refusal.js';
import { routingUpdateCases } from './cases/routing-update.js';
import { shapeCases } from './cases/shape.js';
import type { CaseContext } from './cases/context.js';
import { resolveComplianceOptions, type ComplianceOptions } from './options.js';
import { openSession, type ComplianceSetup } from './session.js';

/**
 * Registers the transport compliance cases as vitest `describe`/`it` blocks.
 * Call it at the top level of an adapter's integration test file:
 *
 *   transportComplianceSuite('dir', async () => ({ sender, receiver, reopenReceiver, teardown }));
 *
 * `setup` runs once per case, against the adapter's real medium, and gets the
 * routing tags the case will use. Cases that need a capability the transport
 * does not claim (storeAndForward) or a hook the harness lacks (disrupt) are
 * skipped with a note, never silently passed.
 */
export function transportComplianceSuite(name: string, setup: ComplianceSetup, options: ComplianceOptions = {}): void {
  const settings = resolveComplianceOptions(options);
  const cases: CaseContext = { settings, open: (context, openOptions) => openSession(context, setup, settings, openOptions) };
  describe(`${name}: transport compliance`, () => {
    describe('shape', () => shapeCases(cases));
    describe('delivery', () => deliveryCases(cases));
    describe('redelivery', () => redeliveryCases(cases));
    describe('refusals', () => refusalCases(cases));
    describe('lifecycle', () => lifecycleCases(cases));
    describe('routing tag updates', () => routingUpdateCases(cases));
    describe('medium cut and restored', () => mediumCases(cases));
  });
}
