import { HeraldError } from '@herald/core';

/** The codes the drill raises (docs/errors.md, "Drills"); `herald drill` reports them as `error CODE: message`, exit 1. */
export type DrillErrorCode =
  /** The scenario does not validate; the message names the field. */
  | 'SCENARIO_INVALID'
  /** The topology needs a service that cannot run on this machine (Mosquitto, the mail system). */
  | 'DRILL_SETUP'
  /** A service or node the drill started did not come up (it exited, or did not listen in time). */
  | 'DRILL_START_FAILED';

/** Thrown for a scenario that does not validate; the message names the field and what was expected. */
export class ScenarioError extends HeraldError<'SCENARIO_INVALID'> {
  override readonly name = 'ScenarioError';
  constructor(
    message: string,
    /** The path of the offending key (`scenario.faults[0].cutt`), when the message is about one: parseScenario adds its line. */
    readonly field?: string,
  ) {
    super('SCENARIO_INVALID', message, { retryable: false });
  }
}

/**
 * The drill could not set up its topology: a service it needs cannot run here (DRILL_SETUP, not retryable), or one it
 * started did not come up (DRILL_START_FAILED, retryable: a machine under load may start it next time).
 */
export class SetupError extends HeraldError<'DRILL_SETUP' | 'DRILL_START_FAILED'> {
  override readonly name = 'SetupError';
  constructor(message: string, code: 'DRILL_SETUP' | 'DRILL_START_FAILED' = 'DRILL_SETUP') {
    super(code, message, { retryable: code === 'DRILL_START_FAILED' });
  }
}
