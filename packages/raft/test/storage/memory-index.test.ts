import { LogIndex } from '../../src/storage/log-index';
import { TailCache } from '../../src/storage/tail-cache';
import { entries, entry } from './helpers';

const at = (segment: number, offset: number) => ({ segment, offset, size: 32 });

describe('LogIndex', () => {
  function filled(): LogIndex {
    const ix = new LogIndex(5);
    for (let i = 5; i <= 14; i++) ix.push(i, i < 10 ? 1 : 2, at(i % 3, i * 32));
    return ix;
  }

  it('answers terms and locations in O(1) for its range only', () => {
    const ix = filled();
    expect([ix.firstIndex, ix.lastIndex]).toEqual([5, 14]);
    expect(ix.term(9)).toBe(1);
    expect(ix.term(10)).toBe(2);
    expect(ix.term(4)).toBeUndefined();
    expect(ix.term(15)).toBeUndefined();
    expect(ix.location(7)).toEqual(at(1, 224));
    expect(() => {
      ix.push(16, 2, at(0, 0));
    }).toThrow();
  });

  it('truncates a suffix, including below its first entry', () => {
    const ix = filled();
    ix.truncateFrom(12);
    expect(ix.lastIndex).toBe(11);
    ix.truncateFrom(20);
    expect(ix.lastIndex).toBe(11);
    ix.truncateFrom(3);
    expect([ix.firstIndex, ix.lastIndex]).toEqual([3, 2]);
  });

  it('drops a prefix, restarting after the end when it passes it', () => {
    const ix = filled();
    ix.dropThrough(7);
    expect([ix.firstIndex, ix.lastIndex]).toEqual([8, 14]);
    expect(ix.location(8)).toEqual(at(2, 256));
    ix.dropThrough(2);
    expect(ix.firstIndex).toBe(8);
    ix.dropThrough(30);
    expect([ix.firstIndex, ix.lastIndex]).toEqual([31, 30]);
  });
});

describe('TailCache', () => {
  it('truncates with the log (a conflicting suffix never survives in the cache)', () => {
    const c = new TailCache(1);
    for (const e of entries(1, 10, 1, 10)) c.push(e);
    c.truncateFrom(6);
    expect(c.get(6)).toBeUndefined();
    expect(c.byteSize).toBe(50);
    c.push(entry(6, 2, 10));
    expect(c.get(6)).toEqual(entry(6, 2, 10));
    expect(c.get(5)).toEqual(entry(5, 1, 10));
  });

  it('restarts when an entry does not follow, and drops a prefix', () => {
    const c = new TailCache(1);
    for (const e of entries(1, 4, 1)) c.push(e);
    c.dropThrough(2);
    expect([c.firstIndex, c.size]).toEqual([3, 2]);
    c.push(entry(9, 1));
    expect([c.firstIndex, c.size]).toEqual([9, 1]);
    c.dropThrough(20);
    expect([c.firstIndex, c.size, c.byteSize]).toEqual([21, 0, 0]);
  });

  it('evicts the oldest entries over its limits, but never one still unwritten', () => {
    const c = new TailCache(1);
    for (const e of entries(1, 10, 1, 100)) c.push(e);
    c.evict(4, Infinity, (i) => i <= 3);
    expect(c.firstIndex).toBe(4);
    c.evict(4, Infinity, () => true);
    expect([c.firstIndex, c.size]).toEqual([7, 4]);
    c.evict(100, 250, () => true);
    expect([c.firstIndex, c.size, c.byteSize]).toEqual([9, 2, 200]);
  });
});
