import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DrillResult } from '../result.js';
import { renderHtml } from './html.js';

/** Writes `<dir>/<scenario>.json` and `<dir>/<scenario>.html`; returns their paths. */
export async function writeReports(result: DrillResult, dir: string): Promise<{ json: string; html: string }> {
  const folder = resolve(dir);
  await mkdir(folder, { recursive: true });
  const json = join(folder, `${result.scenario.name}.json`);
  const html = join(folder, `${result.scenario.name}.html`);
  await writeFile(json, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(html, renderHtml(result));
  return { json, html };
}
