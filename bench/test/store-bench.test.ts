import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../dist/store.js', import.meta.url));
const number = (text: string | undefined): number => Number((text ?? '').replaceAll(',', ''));

describe('bench:store', () => {
  it('prints durable enqueue rates beside raw LMDB, fsync-per-message beside group commit, ratios, the whole send path beside libsodium, and cleans up', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--quick'], { timeout: 60_000 });

    const enqueue = stdout.match(/^\s+64 in flight\s+([\d,]+)\s+([\d,]+)\s+(\d+\.\d\d)\s+\(goal ≥ 0\.50\)$/m);
    expect(enqueue, stdout).not.toBeNull();
    expect(number(enqueue?.[1])).toBeGreaterThan(0);
    expect(number(enqueue?.[2])).toBeGreaterThan(0);
    expect(Number(enqueue?.[3])).toBeGreaterThan(0);

    const single = stdout.match(/^\s+fsync per message \(1 in flight, awaited\)\s+([\d,]+)$/m);
    const grouped = stdout.match(/^\s+group commit \(64 in flight\)\s+([\d,]+)$/m);
    const speedUp = stdout.match(/^\s+group commit \/ fsync per message: (\d+\.\d\d)$/m);
    expect(single, stdout).not.toBeNull();
    expect(grouped, stdout).not.toBeNull();
    expect(number(single?.[1])).toBeGreaterThan(0);
    expect(number(grouped?.[1])).toBeGreaterThan(0);
    // Even a rough run shows group commit far ahead of one fsync per message.
    expect(Number(speedUp?.[1])).toBeGreaterThan(2);

    const sendPath = stdout.match(/^\s+node\.send, 64 in flight\s+([\d,]+)\s+([\d,]+)\s+(\d+\.\d\d)$/m);
    expect(sendPath, stdout).not.toBeNull();
    expect(number(sendPath?.[1])).toBeGreaterThan(0);
    expect(Number(sendPath?.[3])).toBeGreaterThan(0);

    const root = stdout.match(/store under (\S+)$/m)?.[1];
    expect(root).toBeDefined();
    expect(existsSync(root!)).toBe(false);
  });
});
