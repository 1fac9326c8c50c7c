import { EnvelopeError } from '@herald/core';
import { CliError } from './errors.js';

/**
 * Reads all of stdin as bytes. The cap keeps a runaway pipe from exhausting
 * memory: it is checked while reading, not after.
 */
export async function readStdin(maxBytes: number, what: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of process.stdin as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.length;
      if (total > maxBytes) {
        process.stdin.destroy();
        throw new EnvelopeError('TOO_LARGE', `${what} on stdin exceeds the limit of ${maxBytes} bytes`);
      }
      chunks.push(bytes);
    }
  } catch (error) {
    // `herald open < some-directory` fails here with EISDIR: the user's mistake, not a crash.
    const { code, syscall } = error as NodeJS.ErrnoException;
    if (syscall !== undefined) throw new CliError('IO_ERROR', `cannot read ${what} from stdin: ${code ?? syscall}`, { cause: error });
    throw error;
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

let pipeErrorsHandled = false;

/** A reader that went away (`herald open … | head`) is not our failure; without a listener node would crash with a stack. */
function handlePipeErrors(): void {
  if (pipeErrorsHandled) return;
  pipeErrorsHandled = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

function write(stream: NodeJS.WriteStream, data: Uint8Array | string): Promise<void> {
  handlePipeErrors();
  return new Promise((resolve, reject) => {
    stream.write(data, (error) => {
      if (!error || (error as NodeJS.ErrnoException).code === 'EPIPE') resolve();
      else reject(new CliError('IO_ERROR', `cannot write output: ${error.message}`, { cause: error }));
    });
  });
}

export function writeStdout(data: Uint8Array | string): Promise<void> {
  return write(process.stdout, data);
}

export function writeStderr(text: string): Promise<void> {
  return write(process.stderr, text);
}

export function stdoutIsTerminal(): boolean {
  return process.stdout.isTTY === true;
}
