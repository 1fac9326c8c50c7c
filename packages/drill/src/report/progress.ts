/** A live progress line, redrawn in place; only when the stream is a terminal (never in logs or CI). */
export function progressLine(stream: NodeJS.WriteStream): { update(line: string): void; clear(): void } | undefined {
  if (!stream.isTTY) return undefined;
  let shown = false;
  return {
    update(line) {
      // A pseudo-terminal with no size set reports 0 columns: then assume a common width rather than cutting the line to nothing.
      const width = Math.max(20, (stream.columns || 100) - 1);
      stream.write(`\r\x1b[K${line.slice(0, width)}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
