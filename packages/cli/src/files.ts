import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CliError } from './errors.js';

/** Maps node's errno failures to the CLI's stable codes; anything else stays unexpected. */
export function fileError(error: unknown, path: string, what: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new CliError('FILE_NOT_FOUND', `${what} ${path} does not exist`, { cause: error });
    case 'EEXIST':
      return new CliError('FILE_EXISTS', `${what} ${path} already exists (use --force to overwrite)`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new CliError('IO_ERROR', `${what} ${path}: permission denied`, { cause: error });
    case 'EISDIR':
      return new CliError('IO_ERROR', `${what} ${path} is a directory`, { cause: error });
    case 'ENOTDIR':
      return new CliError('FILE_NOT_FOUND', `${what} ${path}: a parent is not a directory`, { cause: error });
    default:
      return code === undefined ? error : new CliError('IO_ERROR', `${what} ${path}: ${code}`, { cause: error });
  }
}

export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw fileError(error, path, what);
  }
}

/** Writes a public file; `wx` unless overwriting, so a race cannot clobber an existing file. */
export async function writeTextFile(path: string, text: string, what: string, overwrite: boolean): Promise<void> {
  try {
    await writeFile(path, text, { encoding: 'utf8', flag: overwrite ? 'w' : 'wx', mode: 0o644 });
  } catch (error) {
    throw fileError(error, path, what);
  }
}

/** Fails early, before anything is written, so keygen never leaves half a key pair behind. */
export async function ensureWritable(path: string, what: string, overwrite: boolean): Promise<void> {
  try {
    await access(dirname(path));
  } catch (error) {
    throw fileError(error, dirname(path), `directory of ${what}`);
  }
  if (overwrite) return;
  try {
    await access(path);
  } catch {
    return;
  }
  throw new CliError('FILE_EXISTS', `${what} ${path} already exists (use --force to overwrite)`);
}

/** Writes a new public file (never over an existing one). */
export async function writeBinaryFile(path: string, bytes: Uint8Array, what: string): Promise<void> {
  try {
    await writeFile(path, bytes, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    throw fileError(error, path, what);
  }
}

/** Reads a whole file, refusing one larger than `maxBytes` before reading it. */
export async function readBinaryFile(path: string, maxBytes: number, what: string): Promise<Uint8Array> {
  try {
    const size = (await stat(path)).size;
    if (size > maxBytes) throw new CliError('IO_ERROR', `${what} ${path} is ${size} bytes, more than the limit of ${maxBytes} (--max-bytes)`);
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw error instanceof CliError ? error : fileError(error, path, what);
  }
}
