export { main } from './main.js';
export { COMMANDS, findCommand } from './commands/index.js';
export { type Command, type CommandSpec, type FlagSpec, type FlagSpecs, type FlagValues, type Invocation, defineCommand } from './command.js';
export { EXIT, CliError, UsageError, type CliErrorCode, describeError } from './errors.js';
export { parseDuration, formatDuration } from './duration.js';
