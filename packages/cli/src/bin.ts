#!/usr/bin/env node
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
