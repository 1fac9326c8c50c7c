import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** The built watchdog (tests run after `tsc -b`), loaded in a child process that then blocks its main thread for good. */
const WATCHDOG = new URL('../dist/watchdog.js', import.meta.url).href;

describe('watchdog', () => {
  it('kills a process stuck in a synchronous loop and prints the input of the stuck call', () => {
    const script = `
      const { startWatchdog } = await import(${JSON.stringify(WATCHDOG)});
      const watchdog = startWatchdog(300, 'test');
      watchdog.beat(Uint8Array.of(1, 2, 3));
      watchdog.beat(Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
      const until = Date.now() + 20_000;
      while (Date.now() < until) {}
      console.log('not stopped');
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout).not.toContain('not stopped');
    expect(result.stderr).toContain('FAILURE hang: call 2 has not returned after 300 ms (test)');
    expect(result.stderr).toContain('input: deadbeef');
  });

  it('leaves a process alone while calls keep returning, and once stopped', () => {
    const script = `
      const { startWatchdog } = await import(${JSON.stringify(WATCHDOG)});
      const watchdog = startWatchdog(300, 'test');
      for (let call = 0; call < 20; call++) {
        watchdog.beat(Uint8Array.of(call));
        const until = Date.now() + 50;
        while (Date.now() < until) {}
      }
      await watchdog.stop();
      const until = Date.now() + 1000;
      while (Date.now() < until) {}
      console.log('finished');
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('finished');
  });
});
