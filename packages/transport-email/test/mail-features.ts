/**
 * What a censor's filter can see in a raw mail without decoding attachments: header names and their order, the
 * shape of each header value, the MIME tree, each part's headers, boundaries, file names and text layout. Each
 * feature is a string; a mail is the set of its features. Values that are free text (subject, body words,
 * addresses) are reduced to their shape, so that what is compared is structure, not wording.
 */

/** Letters → a/A, digits → 9, runs kept at their length: "IMG_2041.jpg" → "AAA_9999.aaa". */
export function shape(value: string): string {
  return value.replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A').replace(/[0-9]/g, '9').replace(/[^\x20-\x7e]/g, 'u');
}

/** Runs collapsed: "IMG_2041.jpg" → "A_9.a", for features that should not depend on lengths. */
export function coarseShape(value: string): string {
  return shape(value).replace(/a+/g, 'a').replace(/A+/g, 'A').replace(/9+/g, '9').replace(/u+/g, 'u');
}

interface Headers {
  readonly order: string[];
  readonly values: Map<string, string>;
}

function headersOf(block: string): Headers {
  const order: string[] = [];
  const values = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    order.push(name);
    values.set(name, line.slice(colon + 1).trim());
  }
  return { order, values };
}

function split(raw: string): { head: string; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  return end === -1 ? { head: raw, body: '' } : { head: raw.slice(0, end), body: raw.slice(end).replace(/^\r?\n\r?\n/, '') };
}

/** `type/sub; a=…; b=…` → its type, parameter names, and the parameters themselves. */
function contentType(value: string | undefined): { type: string; params: Map<string, string> } {
  const [type = '', ...rest] = (value ?? 'text/plain').split(';');
  const params = new Map<string, string>();
  for (const param of rest) {
    const equals = param.indexOf('=');
    if (equals > 0) params.set(param.slice(0, equals).trim().toLowerCase(), param.slice(equals + 1).trim());
  }
  return { type: type.trim().toLowerCase(), params };
}

function partFeatures(raw: string, path: string, features: Set<string>, top: boolean): string {
  const { head, body } = split(raw);
  const headers = headersOf(head);
  const where = top ? 'mail' : 'part';
  features.add(`${where} header order: ${headers.order.join(',')}`);
  for (const [name, value] of headers.values) {
    features.add(`${where} header: ${name}`);
    if (['subject', 'from', 'to'].includes(name)) {
      // Free text: only whether it is encoded, quoted, has a display name.
      features.add(`${where} ${name} form: ${/=\?[^?]+\?[QB]\?/i.test(value) ? 'encoded-word' : 'plain'}${/</.test(value) ? ' with name' : ''}`);
    } else if (name === 'message-id') {
      features.add(`${where} message-id shape: ${shape(value.replace(/@.*>$/, '@>'))}`);
    } else if (name === 'date') {
      features.add(`${where} date shape: ${coarseShape(value)}`);
    } else if (name !== 'content-type' && name !== 'content-disposition') {
      features.add(`${where} ${name}: ${value}`);
    }
  }
  const type = contentType(headers.values.get('content-type'));
  features.add(`${where} content-type: ${type.type}; ${[...type.params.keys()].join(';')}`);
  const charset = type.params.get('charset');
  if (charset) features.add(`${where} charset: ${charset}`);
  const name = type.params.get('name');
  if (name) {
    features.add(`name quoted: ${name.startsWith('"')}`);
    features.add(`file name coarse shape: ${coarseShape(name.replace(/"/g, ''))}`);
    features.add(`file extension: ${/\.([^.]+?)"?$/.exec(name)?.[1]?.toLowerCase() ?? 'none'}`);
  }
  const disposition = headers.values.get('content-disposition');
  if (disposition) features.add(`${where} disposition: ${disposition.split(';')[0]}; ${disposition.split(';').slice(1).map((param) => param.split('=')[0]?.trim()).join(';')}`);
  if (type.type.startsWith('multipart/')) {
    const boundary = (type.params.get('boundary') ?? '').replace(/^"|"$/g, '');
    features.add(`boundary shape: ${shape(boundary).replace(/[aA9]/g, 'x')}`);
    features.add(`boundary quoted: ${type.params.get('boundary')?.startsWith('"') ?? false}`);
    const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pieces = body.split(new RegExp(`^--${escaped}(?:--)?[ \\t]*\\r?$`, 'm'));
    features.add(`preamble: ${pieces[0]?.trim() === '' ? 'none' : 'text'}`);
    const children = pieces.slice(1, -1).map((piece) => piece.replace(/^\r?\n/, ''));
    return `${type.type}(${children.map((child, index) => partFeatures(child, `${path}.${index + 1}`, features, false)).join(',')})`;
  }
  if (type.type === 'text/plain') {
    const text = body.replace(/\r\n/g, '\n');
    features.add(`text ends with newline: ${text.endsWith('\n')}`);
    features.add(`text has blank line: ${/\n\n/.test(text.trim())}`);
  }
  return type.type;
}

/** Every feature of one raw mail, its MIME tree among them. */
export function mailFeatures(raw: string): Set<string> {
  const features = new Set<string>();
  features.add(`structure: ${partFeatures(raw, '', features, true)}`);
  return features;
}
