import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// docs/threat-model.md backs each claim with the tests that would fail if it were false, cited as
// `file` › "test name", "another". A citation that no longer finds its test (a file split or renamed, a test
// retitled) leaves a claim with nothing behind it while still looking backed: this reads every citation and
// finds each named test in the named file.

const root = fileURLToPath(new URL('../../..', import.meta.url));
const packagesDir = join(root, 'packages');
const packages = readdirSync(packagesDir);

/** Typographic and escaped quotes as plain ones, runs of whitespace as one space: prose wraps and curls what code does not. */
const normal = (text: string): string => text.replace(/[‘’]/g, "'").replace(/\\'/g, "'").replace(/\s+/g, ' ');

/** Where a cited path points: from the repository root, from packages/, or (short forms) under a package's test or src folder. */
function resolveCited(path: string): string[] {
  const candidates = [join(root, path), join(packagesDir, path), ...packages.flatMap((name) => [join(packagesDir, name, 'test', path), join(packagesDir, name, 'src', path)])];
  return candidates.filter((candidate) => existsSync(candidate));
}

/** A template-literal test name (`compares … when ours is ${where}`) as a pattern its generated names match. */
function templatePatterns(source: string): RegExp[] {
  return [...source.matchAll(/`([^`]*\$\{[^`]*)`/g)].map((match) => {
    const parts = normal(match[1]!).split(/\$\{[^}]*\}/);
    return new RegExp(`^${parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
  });
}

/** Whether `name` (its "…" marking elided words) names a test in `source`: each piece appears, or a template generates it. */
function findsTest(source: string, patterns: readonly RegExp[], name: string): boolean {
  const cited = normal(name).trim();
  const pieces = cited.split(/\s*…\s*/).filter((piece) => piece.length > 0);
  if (pieces.every((piece) => source.includes(piece))) return true;
  return !cited.includes('…') && patterns.some((pattern) => pattern.test(cited));
}

interface Citation {
  readonly path: string;
  readonly names: readonly string[];
}

function citations(text: string): Citation[] {
  const found: Citation[] = [];
  for (const match of text.matchAll(/`([\w./-]+\.(?:test\.ts|ts|mjs))`((?:\s*›\s*(?:"[^"]+"(?:,\s*)?)+)?)/g)) {
    found.push({ path: match[1]!, names: [...(match[2] ?? '').matchAll(/"([^"]+)"/g)].map((name) => name[1]!) });
  }
  return found;
}

describe('docs/threat-model.md citations', () => {
  const doc = readFileSync(join(root, 'docs/threat-model.md'), 'utf8');
  const cited = citations(doc);

  it('cites a few hundred tests by file and name (the reader below is not silently reading nothing)', () => {
    expect(cited.length).toBeGreaterThan(200);
    expect(cited.filter((citation) => citation.names.length > 0).length).toBeGreaterThan(100);
  });

  it('every cited file exists, and every cited test is in it', () => {
    const missing: string[] = [];
    for (const { path, names } of cited) {
      const files = resolveCited(path);
      if (files.length === 0) {
        missing.push(`${path}: no such file`);
        continue;
      }
      const source = normal(files.map((file) => readFileSync(file, 'utf8')).join('\n'));
      const patterns = templatePatterns(source);
      for (const name of names) if (!findsTest(source, patterns, name)) missing.push(`${path} › "${name}"`);
    }
    expect(missing).toEqual([]);
  });

  it('would notice a test that is gone: a made-up name is not found', () => {
    const source = normal(readFileSync(join(packagesDir, 'core/test/threat-model.test.ts'), 'utf8'));
    expect(findsTest(source, templatePatterns(source), 'a test nobody ever wrote')).toBe(false);
    expect(resolveCited('core/test/no-such-file.test.ts')).toEqual([]);
  });
});
