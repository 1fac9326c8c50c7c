import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every code any package can raise is listed in docs/errors.md, and every code listed there exists in the code (as
// fastify's docs test does for its errors). Read from the sources, so a new code cannot ship undocumented.

const root = fileURLToPath(new URL('../../..', import.meta.url));
const packagesDir = join(root, 'packages');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Comments out, so a quoted word in prose is never taken for a code. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function literals(text: string): string[] {
  return [...text.matchAll(/'([A-Z][A-Z0-9_]*)'/g)].map((match) => match[1]!);
}

interface Found {
  readonly code: string;
  readonly where: string;
}

function scan(): { declared: Found[]; raised: Found[]; roots: Found[] } {
  const declared: Found[] = [];
  const raised: Found[] = [];
  const roots: Found[] = [];
  for (const pkg of readdirSync(packagesDir)) {
    let files: string[];
    try {
      files = sourceFiles(join(packagesDir, pkg, 'src'));
    } catch {
      continue;
    }
    for (const file of files) {
      const text = code(readFileSync(file, 'utf8'));
      const where = relative(root, file);
      // A package's code set: `type XErrorCode = 'A' | 'B'`, or the codes a subclass names, `extends HeraldError<'A'>`.
      for (const match of text.matchAll(/\btype \w*ErrorCode\s*=([^;]*);/g)) declared.push(...literals(match[1]!).map((found) => ({ code: found, where })));
      for (const match of text.matchAll(/\bextends HeraldError<([^>{]*)>/g)) declared.push(...literals(match[1]!).map((found) => ({ code: found, where })));
      // Codes written where an error is made: `new XError('CODE', …)`, `super('CODE', …)`.
      for (const match of text.matchAll(/\b(?:new \w*Error|super)\(\s*'([A-Z][A-Z0-9_]*)'/g)) raised.push({ code: match[1]!, where });
      // A second root: a class straight off Error that carries a code of its own.
      for (const match of text.matchAll(/\bclass (\w+) extends Error \{([\s\S]*?)\n\}/g)) if (/\breadonly code\b|this\.code\s*=/.test(match[2]!)) roots.push({ code: match[1]!, where });
    }
  }
  return { declared, raised, roots };
}

/** The codes docs/errors.md lists: the first column of a table row, in backticks (the relay's numbered frames excluded). */
function documented(): Set<string> {
  const text = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  return new Set([...text.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]!));
}

describe('docs/errors.md and the code agree', () => {
  const { declared, raised, roots } = scan();
  const declaredCodes = new Set(declared.map((found) => found.code));
  const docs = documented();

  it('finds the code sets of core and of the packages that extend it', () => {
    // The scan itself must work: a broken pattern finding nothing would make the checks below pass vacuously.
    for (const expected of ['MALFORMED', 'CHANNEL_REJECTED', 'BAD_CERTIFICATE', 'BAD_BUNDLE', 'FILE_EXISTS', 'SCENARIO_INVALID']) expect(declaredCodes).toContain(expected);
    expect(raised.length).toBeGreaterThan(100);
    expect(docs.size).toBeGreaterThan(60);
  });

  it('no package has an error root of its own: every coded error extends HeraldError', () => {
    expect(roots).toEqual([]);
  });

  it('every code raised is declared in its package’s code set', () => {
    expect(raised.filter((found) => !declaredCodes.has(found.code))).toEqual([]);
  });

  it('every declared code is documented', () => {
    expect(declared.filter((found) => !docs.has(found.code))).toEqual([]);
  });

  it('every documented code exists in the code', () => {
    expect([...docs].filter((listed) => !declaredCodes.has(listed))).toEqual([]);
  });
});
