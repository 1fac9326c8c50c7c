import { randomInt } from 'node:crypto';

/** Media types of the file kinds Herald names its attachments as, by extension; anything else is octet-stream. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
};

export function mediaTypeOf(filename: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  return (extension && MEDIA_TYPES[extension]) ?? 'application/octet-stream';
}

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;
const two = (value: number): string => String(value).padStart(2, '0');

/** A file name as people's devices and habits make them: dated documents, camera and scanner names, archives. */
export function plausibleFileName(words: readonly string[], now: Date): string {
  // A document from the last ten days.
  const day = new Date(now.getTime() - randomInt(10) * 86_400_000);
  const [y, m, d] = [day.getUTCFullYear(), two(day.getUTCMonth() + 1), two(day.getUTCDate())];
  const word = pick(words);
  const capital = word.charAt(0).toUpperCase() + word.slice(1);
  const time = `${two(randomInt(8, 20))}${two(randomInt(60))}${two(randomInt(60))}`;
  const shapes: readonly (() => string)[] = [
    () => `${word}_${y}-${m}-${d}.pdf`,
    () => `${capital} ${d}.${m}.${y}.pdf`,
    () => `Scan_${y}${m}${d}_${time}.pdf`,
    () => `IMG_${String(randomInt(1000, 10_000))}.jpg`,
    () => `IMG_${y}${m}${d}_${time}.jpg`,
    () => `${capital}.docx`,
    () => `${word}_v${randomInt(2, 6)}.docx`,
    () => `${capital}_${y}-${m}.xlsx`,
    () => `${word}_${y}${m}${d}.zip`,
  ];
  return pick(shapes)();
}
