import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '@herald/core';
import * as coreDomains from '../../core/src/domains.js';
import * as protocolExports from '@herald/protocol';

interface Row {
  readonly text: string;
  readonly length: number;
  readonly hex: string;
  readonly usedAs: string;
}

/** The rows of docs/protocol.md section 2's table: name | exact string | length | hex | used as. */
function documentedDomains(): Row[] {
  const text = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
  const section = /\n## 2\. Domain-separation strings\n([\s\S]*?)\n## 3\./.exec(text)?.[1];
  if (!section) throw new Error('docs/protocol.md has no section 2 "Domain-separation strings"');
  const rows: Row[] = [];
  for (const line of section.split('\n')) {
    const cells = /^\| [^|]+ \| `([^`]+)` \| (\d+) \| `([0-9a-f]+)` \| (.+) \|$/.exec(line);
    if (cells) rows.push({ text: cells[1]!, length: Number(cells[2]), hex: cells[3]!, usedAs: cells[4]! });
  }
  return rows;
}

/** Every domain string a package exports: Uint8Array exports named …DOMAIN, and the members of such objects. */
function exportedDomains(module: Record<string, unknown>): Uint8Array[] {
  const found: Uint8Array[] = [];
  for (const [name, value] of Object.entries(module)) {
    if (!name.endsWith('DOMAIN')) continue;
    if (value instanceof Uint8Array) found.push(value);
    else if (value && typeof value === 'object') for (const member of Object.values(value)) if (member instanceof Uint8Array) found.push(member);
  }
  return found;
}

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('docs/protocol.md section 2, the domain-separation strings', () => {
  const rows = documentedDomains();

  it('gives each string its exact byte length and hex', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const row of rows) {
      const bytes = new TextEncoder().encode(row.text);
      expect({ text: row.text, length: row.length, hex: row.hex }).toEqual({ text: row.text, length: bytes.length, hex: toHex(bytes) });
    }
  });

  it('lists every domain string core and the protocol package export', () => {
    const exported = [...exportedDomains(coreDomains), ...exportedDomains(protocolExports)].map(decode);
    // core's DOMAIN, PREKEY_DOMAIN, ENVELOPE_V2_DOMAIN, EPOCH_DOMAIN and two relay strings; the protocol's three MQTT ones.
    expect(exported.length).toBe(21);
    const documented = new Set(rows.map((row) => row.text));
    expect(exported.filter((text) => !documented.has(text))).toEqual([]);
  });

  it('keeps the strings used as BLAKE2b keys within libsodium’s key lengths (16 to 64 bytes)', () => {
    const keys = rows.filter((row) => row.usedAs.startsWith('BLAKE2b key'));
    expect(keys.length).toBeGreaterThanOrEqual(7);
    for (const key of keys) expect(key.length, key.text).toSatisfy((length: number) => length >= 16 && length <= 64);
  });
});
