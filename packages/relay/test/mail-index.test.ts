import { describe, expect, it } from 'vitest';
import { MAX_COMPARED_COPIES, mailIndex } from '../src/store/mail-index.js';

const entry = (tag: string, seq: number, id: string, keepUntil = 10 * 60_000) => ({ tag, seq, id, keepUntil, size: 100 + seq });
const always = (): boolean => true;

describe('the relay’s mail index in memory', () => {
  it('finds the copy of an id per mailbox, also when several mailboxes hold the same envelope', () => {
    const index = mailIndex();
    index.add(entry('bob', 1, 'id1'));
    index.add(entry('carol', 2, 'id1'));
    index.add(entry('bob', 3, 'id2'));
    expect(index.copyOf('bob', 'id1', always)).toBe(1);
    expect(index.copyOf('carol', 'id1', always)).toBe(2);
    expect(index.copyOf('dave', 'id1', always)).toBeUndefined();
    expect(index.delete('bob', 1)?.size).toBe(101);
    expect(index.copyOf('bob', 'id1', always)).toBeUndefined();
    expect(index.copyOf('carol', 'id1', always)).toBe(2);
    expect(index.delete('carol', 2)).toBeDefined();
    expect(index.copyOf('carol', 'id1', always)).toBeUndefined();
    expect(index.size).toBe(1);
  });

  it('is a copy only where the bytes are the same, and compares at most MAX_COMPARED_COPIES entries of one id', () => {
    const index = mailIndex();
    // Different envelopes under one id in one mailbox (another recipient reusing an id): all kept, told apart by bytes.
    const seqs = Array.from({ length: MAX_COMPARED_COPIES + 2 }, (_, position) => position + 1);
    for (const seq of seqs) index.add(entry('bob', seq, 'shared'));
    const compared: number[] = [];
    const is = (wanted: number) => (seq: number): boolean => (compared.push(seq), seq === wanted);
    expect(index.copyOf('bob', 'shared', is(2))).toBe(2);
    expect(compared).toEqual([1, 2]);
    compared.length = 0;
    expect(index.copyOf('bob', 'shared', is(-1))).toBeUndefined();
    expect(compared).toHaveLength(MAX_COMPARED_COPIES);
    // The last one is past the bound: not found, so its bytes would be stored again (a duplicate, never a loss).
    expect(index.copyOf('bob', 'shared', is(seqs.at(-1)!))).toBeUndefined();
    // Two fewer: the last one is within the bound again.
    index.delete('bob', 1);
    index.delete('bob', 2);
    expect(index.copyOf('bob', 'shared', is(seqs.at(-1)!))).toBe(seqs.at(-1));
    for (const seq of seqs.slice(2)) index.delete('bob', seq);
    expect(index.copyOf('bob', 'shared', always)).toBeUndefined();
    expect(index.size).toBe(0);
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
