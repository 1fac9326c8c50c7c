import { COMMANDS, findCommand, type CommandEntry } from './commands/index.js';
import { EXIT, UsageError, describeError } from './errors.js';
import { writeStderr, writeStdout } from './io.js';
import { version } from './version.js';

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const rows = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
  return `usage: herald COMMAND [options]

Herald seals end-to-end encrypted, signed messages.

commands:
${rows}

Run 'herald COMMAND --help' for a command's options. 'herald --version' prints the version.
Environment: HERALD_PASSPHRASE, HERALD_KDF_STRENGTH, HERALD_DEBUG=1 (stack traces for internal errors),
HERALD_SODIUM=native|wasm (force a libsodium build; default native when its prebuilt binding loads).
Exit codes: 0 success, 1 refused or failed (stderr: error CODE: message), 2 usage error,
3 stored in the outbox but not yet acknowledged (send, flush), 70 internal error.
`;
}

/** Runs one invocation and returns the exit code; every failure is reported here, once. */
export async function main(argv: readonly string[]): Promise<number> {
  // `pnpm herald -- keygen …` hands the `--` through verbatim (npm strips it); accept both habits.
  const [first, ...rest] = argv[0] === '--' ? argv.slice(1) : argv;
  let command: CommandEntry | undefined;
  try {
    if (first === undefined) throw new UsageError(`missing command (one of ${COMMANDS.map((entry) => entry.name).join(', ')})`);
    if (first === '--help' || first === '-h') {
      await writeStdout(overview());
      return EXIT.ok;
    }
    if (first === '--version' || first === '-V') {
      // Which libsodium build core loaded (sodium-native or libsodium.js), for bug reports and speed questions.
      const { sodiumBackend } = await import('@herald/core');
      await writeStdout(`herald ${version()}\nlibsodium: ${sodiumBackend() === 'native' ? 'native (sodium-native)' : 'WASM (libsodium.js)'}\n`);
      return EXIT.ok;
    }
    if (first === 'help') {
      const topic = rest[0];
      await writeStdout(topic === undefined ? overview() : (await lookup(topic).load()).help);
      return EXIT.ok;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option ${first} (options go after the command)`);
    command = lookup(first);
    await (await command.load()).execute(rest);
    return EXIT.ok;
  } catch (error) {
    const report = describeError(error, command?.name, process.env['HERALD_DEBUG'] === '1');
    await writeStderr(report.text);
    return report.exitCode;
  }
}

function lookup(name: string): CommandEntry {
  const command = findCommand(name);
  if (!command) throw new UsageError(`unknown command '${name}'`);
  return command;
}
