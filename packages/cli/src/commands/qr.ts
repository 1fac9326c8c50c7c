import { armorEnvelope } from '@herald/core';
import { isPng, qrTexts, readQrTexts, renderQr, scanQrImage, DEFAULT_QR_CHARS, type QrFormat } from '@herald/courier';
import { defineCommand } from '../command.js';
import { readEnvelope } from '../envelope-input.js';
import { UsageError } from '../errors.js';
import { readBinaryFile, writeBinaryFile } from '../files.js';
import { readStdin, stdoutIsTerminal, writeStderr, writeStdout } from '../io.js';
import { intFlag } from './groups.js';

export const qr = defineCommand({
  name: 'qr',
  summary: 'show an envelope as QR codes (terminal, PNG or SVG), or read scanned codes back',
  synopsis: '[--format terminal|png|svg] [--out PREFIX] [--text] [--max-chars N] < message.env\n       herald qr --read [FILE.png|FILE.txt …] [--armor] > message.env',
  description: `
Splits the envelope on stdin into as few QR codes as hold it (numbered "k of n"
when there are several) and shows them in the terminal, or writes PNG or SVG
images: to stdout when there is one code, else to PREFIX-1-of-n.png and so on
(--out). --text prints the text inside each code instead, one per line: what a
scanner hands back. With --read, takes such texts (stdin or FILEs; any order,
repeats allowed), or PNG pictures of the codes, and writes the envelope;
missing parts are named.`,
  flags: {
    read: { type: 'boolean', description: 'read the decoded texts of the codes back into an envelope' },
    format: { type: 'string', value: 'FORMAT', description: 'terminal (default), png or svg' },
    out: { type: 'string', value: 'PREFIX', description: 'write PREFIX.png (or PREFIX-k-of-n.png for several codes)' },
    text: { type: 'boolean', description: 'print the text inside each code, one per line' },
    'max-chars': { type: 'string', value: 'N', description: `characters per code, 64 to 4000 (default ${DEFAULT_QR_CHARS}; fewer make smaller codes that scan easier)` },
    armor: { type: 'boolean', description: '--read: write ASCII armor instead of binary' },
  },
  optionalArgs: Array.from({ length: 64 }, () => 'FILE'),
  async run({ flags, args }) {
    if (flags.read) {
      for (const flag of ['format', 'out', 'text', 'max-chars'] as const) if (flags[flag] !== undefined) throw new UsageError(`--${flag} is for writing codes, not with --read`);
      const text = args.length > 0 ? (await Promise.all(args.map(readScan))).join('\n') : new TextDecoder().decode(await readStdin(64 * 1024 * 1024, 'QR texts'));
      const envelope = readQrTexts(text);
      await writeStdout(flags.armor || stdoutIsTerminal() ? armorEnvelope(envelope) : envelope);
      return;
    }
    if (args.length > 0) throw new UsageError('the envelope comes on stdin; FILE arguments go with --read');
    if (flags.armor) throw new UsageError('--armor goes with --read');
    const format = formatFlag(flags.format);
    const texts = qrTexts(await readEnvelope(), { maxChars: intFlag('--max-chars', flags['max-chars'], DEFAULT_QR_CHARS, 64, 4000) });
    if (flags.text) return writeStdout(texts.map((text) => `${text}\n`).join(''));
    if (format === 'terminal') {
      for (const [index, text] of texts.entries()) await writeStdout(`Herald QR ${index + 1} of ${texts.length}\n${(await renderQr(text, 'terminal')) as string}\n`);
      return;
    }
    if (flags.out === undefined) {
      if (texts.length > 1) throw new UsageError(`the envelope needs ${texts.length} codes: give --out PREFIX to write them as files`);
      if (format === 'png' && stdoutIsTerminal()) throw new UsageError('refusing to write a PNG to a terminal; redirect stdout or give --out PREFIX');
      return writeStdout(await renderQr(texts[0] ?? '', format));
    }
    for (const [index, text] of texts.entries()) {
      const path = texts.length === 1 ? `${flags.out}.${format}` : `${flags.out}-${index + 1}-of-${texts.length}.${format}`;
      const image = await renderQr(text, format);
      await writeBinaryFile(path, typeof image === 'string' ? new TextEncoder().encode(image) : image, 'QR image');
      await writeStderr(`${path}\n`);
    }
  },
});

function formatFlag(value: string | undefined): QrFormat {
  if (value === undefined) return 'terminal';
  if (value === 'terminal' || value === 'png' || value === 'svg') return value;
  throw new UsageError(`--format must be terminal, png or svg; got '${value}'`);
}

/** A file from --read: a PNG picture of a code (as `--format png` writes it, or a screenshot) or the scanned texts. */
async function readScan(file: string): Promise<string> {
  const bytes = await readBinaryFile(file, 64 * 1024 * 1024, 'QR image or text file');
  return isPng(bytes) ? scanQrImage(bytes) : new TextDecoder().decode(bytes);
}
