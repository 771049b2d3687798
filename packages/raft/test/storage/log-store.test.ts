import * as fs from 'node:fs';
import type { HardState, SnapshotMeta } from '../../src/core/types';
import { LogStore } from '../../src/storage/log-store';
import type { LogStoreOptions } from '../../src/storage/log-store';
import { StorageClosedError, StorageUsageError } from '../../src/storage/errors';
import { CapturingLogger, FaultyFs, entries, entry, payload, removeDir, segmentPaths, tempDir } from './helpers';

let dir: string;
const open: LogStore[] = [];

beforeEach(() => {
  dir = tempDir();
});

afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  removeDir(dir);
});

async function openStore(opts: LogStoreOptions = {}): Promise<LogStore> {
  const s = await LogStore.open(dir, { logger: new CapturingLogger(), segmentBytes: 64 * 1024, ...opts });
  open.push(s);
  return s;
}

async function reopen(s: LogStore, opts: LogStoreOptions = {}): Promise<LogStore> {
  await s.close();
  return openStore(opts);
}

const conf = { voters: [1, 2, 3], learners: [7] };

describe('LogStore: a new log', () => {
  it('starts empty at index 0 with an empty hard state and a preallocated first segment', async () => {
    const s = await openStore({ segmentBytes: 64 * 1024 });
    expect(s.firstIndex()).toBe(1);
    expect(s.lastIndex()).toBe(0);
    expect(s.term(0)).toBe(0);
    expect(s.term(1)).toBeUndefined();
    expect(s.snapshot()).toEqual({ index: 0, term: 0, conf: { voters: [], learners: [] } });
    expect(s.initialHardState()).toEqual({ term: 0, vote: 0, commit: 0 });
    const [first] = segmentPaths(dir);
    expect(first).toBeDefined();
    expect(fs.statSync(first!).size).toBe(64 * 1024);
  });
});

describe('LogStore: append, read, sync', () => {
  it('serves appended entries at once and after a restart', async () => {
    let s = await openStore();
    s.append(entries(1, 10, 1));
    s.append(entries(11, 20, 2));
    expect(s.lastIndex()).toBe(20);
    expect(s.term(10)).toBe(1);
    expect(s.term(11)).toBe(2);
    expect(s.entries(5, 8, Infinity)).toEqual(entries(5, 7, 1));
    await s.sync();
    s = await reopen(s);
    expect(s.firstIndex()).toBe(1);
    expect(s.lastIndex()).toBe(20);
    expect(s.term(20)).toBe(2);
    expect(s.entries(1, 21, Infinity)).toEqual([...entries(1, 10, 1), ...entries(11, 20, 2)]);
  });

  it('writes a batch larger than the inline limit as its records (writev) and reads it back after a restart', async () => {
    let s = await openStore({ segmentBytes: 4 << 20 });
    const big = entries(1, 400, 1, 1024); // ~420 KiB of records in one sync round
    s.append(big);
    await s.sync();
    s = await reopen(s, { segmentBytes: 4 << 20 });
    expect(s.lastIndex()).toBe(400);
    expect(s.entries(1, 401, Infinity)).toEqual(big);
  });

  it('limits entries() by bytes but always returns at least one, and clamps hi to the end', async () => {
    const s = await openStore();
    s.append(entries(1, 5, 1, 100));
    expect(s.entries(1, 6, 250)).toHaveLength(2);
    expect(s.entries(1, 6, 0)).toHaveLength(1);
    expect(s.entries(4, 100, Infinity)).toEqual(entries(4, 5, 1, 100));
    expect(s.entries(6, 10, Infinity)).toEqual([]);
  });

  it('reads entries evicted from the cache back from the segment files', async () => {
    const s = await openStore({ cacheEntries: 4, segmentBytes: 1024 });
    for (let i = 1; i <= 100; i++) {
      s.append([entry(i, 1 + Math.floor(i / 30))]);
      if (i % 7 === 0) await s.sync();
    }
    await s.sync();
    expect(s.segmentFiles().length).toBeGreaterThan(3);
    const all = s.entries(1, 101, Infinity);
    expect(all).toHaveLength(100);
    all.forEach((e, k) => {
      expect(e.index).toBe(k + 1);
      expect(e.data).toEqual(payload(k + 1, e.term));
    });
    // a byte limit cuts a disk read short at the same entry as it would a cached one
    let fit = 0;
    for (let used = 0; fit < all.length && used + all[fit]!.data.length <= 300; fit++) used += all[fit]!.data.length;
    expect(s.entries(1, 101, 300)).toEqual(all.slice(0, fit));
    expect(s.entries(50, 101, 300)[0]).toEqual(all[49]);
  });

  it('rejects an append that would leave a gap or rewrite the compacted prefix', async () => {
    const s = await openStore();
    s.append(entries(1, 3, 1));
    expect(() => {
      s.append([entry(5, 1)]);
    }).toThrow(StorageUsageError);
    expect(() => {
      s.append([entry(4, 1), entry(6, 1)]);
    }).toThrow(StorageUsageError);
    expect(() => {
      s.append([entry(4, 2), entry(5, 1)]);
    }).toThrow(StorageUsageError);
    expect(s.lastIndex()).toBe(3);
    await s.compact({ index: 2, term: 1, conf });
    expect(() => {
      s.append([entry(2, 2)]);
    }).toThrow(StorageUsageError);
    expect(() => s.entries(2, 3, Infinity)).toThrow(StorageUsageError);
  });

  it('group commit: syncs requested while one fsync is in flight share the next one', async () => {
    const faulty = new FaultyFs();
    const s = await openStore({ fs: faulty });
    const before = faulty.count('fdatasync');
    s.append([entry(1, 1)]);
    const first = s.sync();
    const rest: Promise<void>[] = [];
    for (let i = 2; i <= 101; i++) {
      s.append([entry(i, 1)]);
      rest.push(s.sync());
    }
    await Promise.all([first, ...rest]);
    expect(faulty.count('fdatasync') - before).toBe(2);
    // nothing buffered: a sync costs nothing
    await s.sync();
    expect(faulty.count('fdatasync') - before).toBe(2);
  });
});

describe('LogStore: hard state', () => {
  it('restores the last recorded hard state, fsynced with the entries', async () => {
    let s = await openStore();
    const hs1: HardState = { term: 3, vote: 2, commit: 0 };
    const hs2: HardState = { term: 3, vote: 2, commit: 4 };
    s.setHardState(hs1);
    s.append(entries(1, 5, 3));
    s.setHardState(hs2);
    await s.sync();
    expect(s.hardState()).toEqual(hs2);
    s = await reopen(s);
    expect(s.initialHardState()).toEqual(hs2);
  });

  it('records nothing when the hard state is unchanged', async () => {
    const faulty = new FaultyFs();
    const s = await openStore({ fs: faulty });
    s.setHardState({ term: 1, vote: 1, commit: 0 });
    await s.sync();
    const syncs = faulty.count('fdatasync');
    s.setHardState({ term: 1, vote: 1, commit: 0 });
    await s.sync();
    expect(faulty.count('fdatasync')).toBe(syncs);
  });

  it('carries the hard state across segment rotations and prefix removal', async () => {
    let s = await openStore({ segmentBytes: 1024 });
    s.setHardState({ term: 5, vote: 3, commit: 0 });
    s.append(entries(1, 60, 5));
    s.setHardState({ term: 5, vote: 3, commit: 60 });
    await s.compact({ index: 55, term: 5, conf });
    s.append(entries(61, 62, 5));
    await s.sync();
    expect(s.segmentFiles()[0]).not.toBe('0000000000000000.wal');
    s = await reopen(s, { segmentBytes: 1024 });
    expect(s.initialHardState()).toEqual({ term: 5, vote: 3, commit: 60 });
    expect(s.firstIndex()).toBe(56);
    expect(s.lastIndex()).toBe(62);
  });
});

describe('LogStore: truncating a conflicting suffix', () => {
  it('replaces the suffix in memory, in the cache and on disk', async () => {
    let s = await openStore();
    s.append(entries(1, 6, 1));
    await s.sync();
    s.append(entries(4, 5, 2));
    expect(s.lastIndex()).toBe(5);
    expect(s.term(4)).toBe(2);
    expect(s.term(6)).toBeUndefined();
    expect(s.entries(3, 7, Infinity)).toEqual([entry(3, 1), ...entries(4, 5, 2)]);
    await s.sync();
    s = await reopen(s);
    expect(s.lastIndex()).toBe(5);
    expect(s.entries(1, 7, Infinity)).toEqual([...entries(1, 3, 1), ...entries(4, 5, 2)]);
  });

  it('truncates entries already evicted from the cache and held in older segments', async () => {
    let s = await openStore({ segmentBytes: 1024, cacheEntries: 2 });
    s.append(entries(1, 40, 1));
    await s.sync();
    s.append(entries(3, 4, 2));
    await s.sync();
    expect(s.entries(1, 10, Infinity)).toEqual([...entries(1, 2, 1), ...entries(3, 4, 2)]);
    s = await reopen(s, { segmentBytes: 1024 });
    expect(s.lastIndex()).toBe(4);
    expect(s.entries(1, 10, Infinity)).toEqual([...entries(1, 2, 1), ...entries(3, 4, 2)]);
    s.append(entries(5, 6, 2));
    await s.sync();
    s = await reopen(s, { segmentBytes: 1024 });
    expect(s.lastIndex()).toBe(6);
  });
});

describe('LogStore: snapshot boundaries', () => {
  it('compact drops the prefix, answers term(boundary) and deletes covered segments once durable', async () => {
    let s = await openStore({ segmentBytes: 1024 });
    s.append(entries(1, 100, 1));
    await s.sync();
    const before = s.segmentFiles();
    expect(before.length).toBeGreaterThan(4);
    const boundary: SnapshotMeta = { index: 90, term: 1, conf };
    await s.compact(boundary);
    expect(s.firstIndex()).toBe(91);
    expect(s.term(90)).toBe(1);
    expect(s.term(89)).toBeUndefined();
    expect(s.snapshot()).toEqual(boundary);
    const after = s.segmentFiles();
    expect(after.length).toBeLessThan(before.length);
    expect(segmentPaths(dir)).toHaveLength(after.length);
    s = await reopen(s, { segmentBytes: 1024 });
    expect(s.snapshot()).toEqual(boundary);
    expect(s.firstIndex()).toBe(91);
    expect(s.entries(91, 101, Infinity)).toEqual(entries(91, 100, 1));
  });

  it('compact refuses a boundary that is not an entry of the log, and ignores one already passed', async () => {
    const s = await openStore();
    s.append(entries(1, 5, 2));
    await expect(s.compact({ index: 6, term: 2, conf })).rejects.toThrow(StorageUsageError);
    await expect(s.compact({ index: 3, term: 1, conf })).rejects.toThrow(StorageUsageError);
    await s.compact({ index: 3, term: 2, conf });
    await s.compact({ index: 2, term: 2, conf });
    expect(s.firstIndex()).toBe(4);
  });

  it('installSnapshot keeps the suffix when the log has the boundary entry', async () => {
    let s = await openStore();
    s.append(entries(1, 10, 3));
    const meta: SnapshotMeta = { index: 6, term: 3, conf };
    const done = s.installSnapshot(meta);
    expect(s.firstIndex()).toBe(7);
    expect(s.snapshot()).toEqual(meta);
    await done;
    s = await reopen(s);
    expect(s.snapshot()).toEqual(meta);
    expect(s.entries(7, 11, Infinity)).toEqual(entries(7, 10, 3));
  });

  it('installSnapshot discards the whole log when the boundary entry differs or is missing', async () => {
    let s = await openStore({ segmentBytes: 1024 });
    s.append(entries(1, 50, 1));
    await s.sync();
    const meta: SnapshotMeta = { index: 30, term: 2, conf };
    await s.installSnapshot(meta);
    expect(s.lastIndex()).toBe(30);
    expect(s.term(30)).toBe(2);
    expect(s.term(31)).toBeUndefined();
    s.append(entries(31, 32, 2));
    const far: SnapshotMeta = { index: 500, term: 4, conf };
    await s.installSnapshot(far);
    expect(s.lastIndex()).toBe(500);
    s = await reopen(s, { segmentBytes: 1024 });
    expect(s.snapshot()).toEqual(far);
    expect(s.firstIndex()).toBe(501);
    expect(s.lastIndex()).toBe(500);
    expect(segmentPaths(dir)).toHaveLength(s.segmentFiles().length);
    s.append([entry(501, 4)]);
    await s.sync();
    s = await reopen(s, { segmentBytes: 1024 });
    expect(s.entries(501, 502, Infinity)).toEqual([entry(501, 4)]);
  });

  it('installSnapshot refuses a boundary that does not move forward', async () => {
    const s = await openStore();
    await s.installSnapshot({ index: 10, term: 1, conf });
    await expect(s.installSnapshot({ index: 10, term: 1, conf })).rejects.toThrow(StorageUsageError);
  });
});

describe('LogStore: close', () => {
  it('makes buffered writes durable, then refuses every call', async () => {
    let s = await openStore();
    s.append(entries(1, 3, 1));
    await s.close();
    expect(() => s.lastIndex()).toThrow(StorageClosedError);
    expect(() => {
      s.append([entry(4, 1)]);
    }).toThrow(StorageClosedError);
    await expect(s.sync()).rejects.toThrow(StorageClosedError);
    s = await openStore();
    expect(s.lastIndex()).toBe(3);
  });
});
