import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SnapshotMeta } from '../../src/core/types';
import { SnapshotFileError } from '../../src/storage/errors';
import { SnapshotStore } from '../../src/storage/snapshot-store';
import { FaultyFs, removeDir, tempDir } from './helpers';

let dir: string;

beforeEach(() => {
  dir = tempDir();
});

afterEach(() => {
  removeDir(dir);
});

const conf = { voters: [1, 2, 3], learners: [4] };
const meta = (index: number, term = 2): SnapshotMeta => ({ index, term, conf });

function data(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = (k * 7 + seed) & 0xff;
  return out;
}

async function writeSnapshot(store: SnapshotStore, m: SnapshotMeta, bytes: Uint8Array, chunk = 1000): Promise<void> {
  const w = await store.create(m);
  for (let off = 0; off < bytes.length; off += chunk) await w.write(bytes.subarray(off, off + chunk));
  await w.finish();
}

async function readAll(store: SnapshotStore, m: SnapshotMeta, chunk: number): Promise<Uint8Array> {
  const r = await store.open(m);
  try {
    const parts: Uint8Array[] = [];
    for await (const c of r.chunks(chunk)) parts.push(c);
    return Buffer.concat(parts);
  } finally {
    await r.close();
  }
}

describe('SnapshotStore', () => {
  it('writes a snapshot in chunks and reads it back in chunks with its metadata', async () => {
    const store = new SnapshotStore(dir);
    const bytes = data(10_500, 1);
    await writeSnapshot(store, meta(40), bytes);
    expect(store.latest()).toEqual(meta(40));
    expect(Buffer.from(await readAll(store, meta(40), 4096))).toEqual(Buffer.from(bytes));
    const r = await store.open(meta(40));
    expect(r.size).toBe(bytes.length);
    expect(r.meta).toEqual(meta(40));
    expect(Buffer.from(await r.read(10_000, 1000))).toEqual(Buffer.from(bytes.subarray(10_000)));
    await r.verify();
    await r.close();
  });

  it('makes nothing visible before finish, and drops unfinished files at the next start', async () => {
    const store = new SnapshotStore(dir);
    const w = await store.create(meta(10));
    await w.write(data(100, 2));
    expect(store.latest()).toBeUndefined();
    await expect(store.open(meta(10))).rejects.toThrow(SnapshotFileError);
    // the process dies here: the writer is never finished
    const again = new SnapshotStore(dir);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(again.latest()).toBeUndefined();
    await w.abort();
  });

  it('removes older snapshots once the new one is durable', async () => {
    const store = new SnapshotStore(dir);
    await writeSnapshot(store, meta(10), data(100, 1));
    const w = await store.create(meta(20, 3));
    await w.write(data(200, 2));
    expect(store.list()).toEqual([meta(10)]);
    await w.finish();
    expect(store.list()).toEqual([meta(20, 3)]);
    expect(fs.readdirSync(dir)).toHaveLength(1);
    // finishing an older one (a slow writer) removes nothing newer
    await writeSnapshot(store, meta(15), data(10, 3));
    expect(store.list()).toEqual([meta(20, 3), meta(15)]);
  });

  it('abort leaves no file behind and the writer refuses further use', async () => {
    const store = new SnapshotStore(dir);
    const w = await store.create(meta(5));
    await w.write(data(10, 1));
    await w.abort();
    expect(fs.readdirSync(dir)).toEqual([]);
    await expect(w.write(data(1, 1))).rejects.toThrow();
  });

  it('verify detects damaged data; a damaged trailer hides the file from latest()', async () => {
    const store = new SnapshotStore(dir);
    await writeSnapshot(store, meta(10), data(5000, 1));
    const [name] = fs.readdirSync(dir);
    const file = path.join(dir, name!);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0xaa]), 0, 1, 1234);
    const r = await store.open(meta(10));
    await expect(r.verify()).rejects.toThrow(SnapshotFileError);
    await r.close();
    const size = fs.fstatSync(fd).size;
    fs.writeSync(fd, Buffer.from([0x55]), 0, 1, size - 10);
    fs.closeSync(fd);
    expect(store.latest()).toBeUndefined();
    await expect(store.open(meta(10))).rejects.toThrow(SnapshotFileError);
  });

  it('a failed fsync fails finish and publishes nothing', async () => {
    const faulty = new FaultyFs();
    const store = new SnapshotStore(dir, { fs: faulty });
    const w = await store.create(meta(10));
    await w.write(data(100, 1));
    faulty.failOn('fsync', 'EIO');
    await expect(w.finish()).rejects.toThrow('EIO');
    expect(store.latest()).toBeUndefined();
    await w.abort();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
