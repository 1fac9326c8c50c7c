#!/usr/bin/env node
// `pnpm herald …` runs this from the workspace root; file arguments are meant relative to where the user typed it.
// pnpm and npm both name that folder in INIT_CWD (for a script they started; any other run keeps its own cwd).
if (process.env.npm_lifecycle_event === 'herald' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
// Loaded here rather than imported above: core picks its libsodium build as it loads, and a choice it refuses
// (HERALD_SODIUM) must come out as the CLI's one-line error, not as a stack trace from the module loader.
let main: typeof import('./main.js').main;
try {
  ({ main } = await import('./main.js'));
} catch (error) {
  const { code, message } = error as { code?: unknown; message?: unknown };
  process.stderr.write(`error ${typeof code === 'string' ? `${code}: ` : ''}${String(message ?? error)}\n`);
  process.exit(1);
}
// exitCode rather than process.exit(), so output still queued on a pipe is flushed first.
process.exitCode = await main(process.argv.slice(2));
