// Screenshots of HTML reports in Debian's headless Chromium, and the pixel measures the report tests use.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumMissing = !existsSync(CHROMIUM);

/** Renders `html` (a file) at 1000 px wide and returns the screenshot, or throws with Chromium's own words. */
export async function screenshot(html: string, workdir: string, height = 1400): Promise<PNG> {
  const shot = join(workdir, 'shot.png');
  const result = spawnSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(workdir, 'profile')}`, '--hide-scrollbars', `--window-size=1000,${height}`, `--screenshot=${shot}`, `file://${html}`],
    { encoding: 'utf8', timeout: 90_000 },
  );
  if (!existsSync(shot)) throw new Error(`chromium wrote no screenshot: ${result.stderr?.slice(-1000)}`);
  return PNG.sync.read(await readFile(shot));
}

function hex(color: string): [number, number, number] {
  return [1, 3, 5].map((at) => parseInt(color.slice(at, at + 2), 16)) as [number, number, number];
}

/** Within a small distance of the colour: anti-aliasing shifts edges a little. */
const near = (png: PNG, x: number, y: number, [r, g, b]: readonly number[]): boolean => {
  const at = (y * png.width + x) * 4;
  return Math.abs(png.data[at]! - r!) + Math.abs(png.data[at + 1]! - g!) + Math.abs(png.data[at + 2]! - b!) < 24;
};

/** Pixels of `color` in rows [from, to). */
export function countColor(png: PNG, color: string, from = 0, to = png.height): number {
  const rgb = hex(color);
  let count = 0;
  for (let y = from; y < Math.min(to, png.height); y++) for (let x = 0; x < png.width; x++) if (near(png, x, y, rgb)) count++;
  return count;
}

/** The longest unbroken vertical run of `color` in any column, and the row it starts at: a histogram bar, never a dot or a legend key. */
export function tallestRun(png: PNG, color: string): { length: number; top: number } {
  const rgb = hex(color);
  let best = { length: 0, top: 0 };
  for (let x = 0; x < png.width; x++) {
    let run = 0;
    for (let y = 0; y < png.height; y++) {
      run = near(png, x, y, rgb) ? run + 1 : 0;
      if (run > best.length) best = { length: run, top: y - run + 1 };
    }
  }
  return best;
}

/** The most pixels of `color` in one column: a fault line spans the whole plot, even where dots cross it. */
export function fullestColumn(png: PNG, color: string): number {
  const rgb = hex(color);
  let best = 0;
  for (let x = 0; x < png.width; x++) {
    let count = 0;
    for (let y = 0; y < png.height; y++) if (near(png, x, y, rgb)) count++;
    best = Math.max(best, count);
  }
  return best;
}
