import { randomInt } from 'node:crypto';
import type { Camouflage } from './init.js';
import { mediaTypeOf, plausibleFileName } from './templates/file-names.js';
import { LANGUAGES } from './templates/languages.js';

/** What one mail says around the envelope: drawn afresh for every mail. */
export interface Disguise {
  readonly subject: string;
  readonly text: string;
  /** BCP 47 tag declared in Content-Language. */
  readonly language: string;
  readonly filename: string;
  readonly contentType: string;
}

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;

function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(date|weekday|file|sender)\}/g, (_whole, key: string) => values[key] ?? '');
}

/**
 * Subject, body and attachment name for one mail, from the operator's camouflage (a fixed value, or a list to
 * draw from) or else the built-in templates of its language (English by default). Placeholders: `{date}` (a
 * day this week, in the language's words), `{weekday}`, `{file}` (the attachment's name), `{sender}` (the
 * display name's first word, or nothing). `attached` false (the armored format): no built-in body names a file.
 */
export function disguise(camouflage: Camouflage, attached = true, now: Date = new Date()): Disguise {
  const language = LANGUAGES[camouflage.language ?? 'en'];
  const filename = camouflage.attachmentName ?? pick(camouflage.attachmentNames ?? [plausibleFileName(language.fileWords, now)]);
  const day = new Date(now.getTime() - randomInt(5) * 86_400_000);
  const values = {
    date: new Intl.DateTimeFormat(language.tag, { day: 'numeric', month: 'long' }).format(day),
    weekday: new Intl.DateTimeFormat(language.tag, { weekday: 'long' }).format(new Date(now.getTime() + randomInt(1, 4) * 86_400_000)),
    file: filename,
    sender: camouflage.fromName?.split(/\s+/)[0] ?? '',
  };
  const subject = fill(camouflage.subject ?? pick(camouflage.subjects ?? language.subjects), values);
  // A body that ends in an empty signature line loses it, as a person's would.
  // Without an attachment (the armored format) a built-in body does not name a file.
  const bodies = camouflage.bodies ?? (attached ? language.bodies : language.bodies.filter((body) => !body.includes('{file}')));
  const text = `${fill(camouflage.bodyText ?? pick(bodies), values).replace(/\s+$/, '')}\n`;
  return { subject, text, language: language.tag, filename, contentType: mediaTypeOf(filename) };
}
