import { KeyError } from '@herald/core';

/** Whether a person is at the keyboard: both the input and the place the question goes are a terminal. */
export function canAsk(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/**
 * Asks on the terminal for something secret: nothing is echoed, Backspace works,
 * Enter ends it, Ctrl-C or Ctrl-D cancels (PASSPHRASE_REQUIRED). Only when canAsk().
 */
export async function askSecret(question: string): Promise<string> {
  const input = process.stdin;
  // No echo before the question shows: what is typed after it must never appear.
  input.setRawMode(true);
  input.resume();
  process.stderr.write(question);
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed: string[] = [];
      const onData = (chunk: Buffer): void => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') return finish(() => resolve(typed.join('')));
          if (char === '\u0003' || char === '\u0004') return finish(() => reject(new KeyError('PASSPHRASE_REQUIRED', 'cancelled at the passphrase prompt')));
          if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
          else if (char >= ' ') typed.push(char);
        }
      };
      const finish = (settle: () => void): void => {
        input.off('data', onData);
        settle();
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    process.stderr.write('\n');
  }
}
