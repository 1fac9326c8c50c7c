import { describe, expect, it } from 'vitest';
import { mailIndex } from '../src/mail-index.js';

const entry = (tag: string, seq: number, hash: string, keepUntil = 10 * 60_000) => ({ tag, seq, hash, keepUntil, size: 100 + seq });

describe('the relay’s mail index in memory', () => {
  it('finds the copy of the same bytes per mailbox, also when several mailboxes share them', () => {
    const index = mailIndex();
    index.add(entry('bob', 1, 'h1'));
    index.add(entry('carol', 2, 'h1'));
    index.add(entry('bob', 3, 'h2'));
    expect(index.copyOf('bob', 'h1')).toBe(1);
    expect(index.copyOf('carol', 'h1')).toBe(2);
    expect(index.copyOf('dave', 'h1')).toBeUndefined();
    expect(index.delete('bob', 1)?.size).toBe(101);
    expect(index.copyOf('bob', 'h1')).toBeUndefined();
    expect(index.copyOf('carol', 'h1')).toBe(2);
    expect(index.delete('carol', 2)).toBeDefined();
    expect(index.copyOf('carol', 'h1')).toBeUndefined();
    expect(index.size).toBe(1);
  });

  it('answers get and delete only for the mailbox an entry is in', () => {
    const index = mailIndex();
    index.add(entry('bob', 7, 'h'));
    expect(index.get('carol', 7)).toBeUndefined();
    expect(index.delete('carol', 7)).toBeUndefined();
    expect(index.get('bob', 7)?.seq).toBe(7);
    expect(index.delete('bob', 7)?.seq).toBe(7);
    expect(index.delete('bob', 7)).toBeUndefined();
  });

  it('lists as due only entries kept until before now, within the limit, across minutes', () => {
    const index = mailIndex();
    index.add(entry('bob', 1, 'a', 60_000 + 10));
    index.add(entry('bob', 2, 'b', 60_000 + 50));
    index.add(entry('bob', 3, 'c', 5 * 60_000));
    index.add(entry('carol', 4, 'd', 30_000));
    expect(index.due(60_000 + 20, 10).map((each) => each.seq).sort()).toEqual([1, 4]);
    expect(index.due(10 * 60_000, 10)).toHaveLength(4);
    expect(index.due(10 * 60_000, 2)).toHaveLength(2);
    index.delete('carol', 4);
    expect(index.due(60_000 + 20, 10).map((each) => each.seq)).toEqual([1]);
  });
});
