import { crc32c } from '@node-rs/crc32';
import * as path from 'node:path';
import type { SnapshotMeta } from '../core/types';
import { decodeMeta, encodeMeta } from './codec';
import { SnapshotFileError, StorageUsageError } from './errors';
import type { StorageFs } from './fs';
import { nodeStorageFs, syncDir, syncDirSync } from './fs';

/**
 * Snapshot files. Each holds the application's snapshot data followed by its metadata and a trailer:
 *
 *   data | meta (index, term, configuration) | magic(8) dataLength u64 dataCrc32c u32 metaLength u32 crc u32
 *
 * where the last crc covers the meta and the trailer before it. A file is written under a temporary name,
 * fsynced, renamed into place and the directory fsynced, so a snapshot file with its final name is always
 * complete, with data and metadata made durable by the same rename.
 */

const MAGIC = Buffer.from('WRSNAP01', 'latin1');
const TRAILER_BYTES = 28;
const NAME = /^snapshot-([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;
const TEMP_SUFFIX = '.tmp';
const DEFAULT_CHUNK_BYTES = 1 << 20;

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

function snapshotFileName(meta: { index: number; term: number }): string {
  return `snapshot-${hex16(meta.index)}-${hex16(meta.term)}.snap`;
}

function encodeTrailer(meta: SnapshotMeta, dataLength: number, dataCrc: number): Buffer {
  const m = encodeMeta(meta);
  const out = Buffer.alloc(m.length + TRAILER_BYTES);
  m.copy(out, 0);
  const t = m.length;
  MAGIC.copy(out, t);
  out.writeUInt32LE(dataLength % 0x1_0000_0000, t + 8);
  out.writeUInt32LE(Math.floor(dataLength / 0x1_0000_0000), t + 12);
  out.writeUInt32LE(dataCrc, t + 16);
  out.writeUInt32LE(m.length, t + 20);
  out.writeUInt32LE(crc32c(out.subarray(0, t + 24)), t + 24);
  return out;
}

interface Trailer {
  readonly meta: SnapshotMeta;
  readonly dataLength: number;
  readonly dataCrc: number;
}

function readTrailer(fsys: StorageFs, fd: number, file: string): Trailer {
  const size = fsys.fstatSizeSync(fd);
  if (size < TRAILER_BYTES) throw new SnapshotFileError(file, 'too short for a trailer');
  const t = Buffer.alloc(TRAILER_BYTES);
  fsys.readSync(fd, t, 0, TRAILER_BYTES, size - TRAILER_BYTES);
  if (!t.subarray(0, 8).equals(MAGIC)) throw new SnapshotFileError(file, 'no snapshot trailer');
  const dataLength = t.readUInt32LE(8) + t.readUInt32LE(12) * 0x1_0000_0000;
  const dataCrc = t.readUInt32LE(16);
  const metaLength = t.readUInt32LE(20);
  if (dataLength + metaLength + TRAILER_BYTES !== size) throw new SnapshotFileError(file, 'sizes do not add up');
  const m = Buffer.alloc(metaLength + TRAILER_BYTES - 4);
  fsys.readSync(fd, m, 0, m.length, dataLength);
  if (crc32c(m) !== t.readUInt32LE(24)) throw new SnapshotFileError(file, 'trailer checksum mismatch');
  try {
    return { meta: decodeMeta(m.subarray(0, metaLength)), dataLength, dataCrc };
  } catch (err) {
    throw new SnapshotFileError(file, (err as Error).message);
  }
}

export interface SnapshotStoreOptions {
  readonly fs?: StorageFs;
}

/** The snapshot files in one directory: write new ones, read them in chunks, find the latest. */
export class SnapshotStore {
  private readonly fs: StorageFs;

  /** Uses `dir` (created if absent) and removes temporary files left by writers that never finished. */
  constructor(
    private readonly dir: string,
    opts: SnapshotStoreOptions = {},
  ) {
    this.fs = opts.fs ?? nodeStorageFs;
    this.fs.mkdirSync(dir);
    syncDirSync(this.fs, path.dirname(path.resolve(dir)));
    for (const name of this.fs.readdirSync(dir)) {
      if (name.endsWith(TEMP_SUFFIX)) this.fs.unlinkSync(path.join(dir, name));
    }
  }

  /** Starts writing the snapshot described by `meta`; nothing is visible until the writer's finish() resolves. */
  async create(meta: SnapshotMeta): Promise<SnapshotWriter> {
    const final = path.join(this.dir, snapshotFileName(meta));
    const temp = final + TEMP_SUFFIX;
    const fd = await this.fs.open(temp, 'w');
    return new SnapshotWriter(this.fs, this, meta, fd, temp, final);
  }

  /** Opens the complete snapshot for `meta` (same index and term) for chunked reading. */
  async open(meta: { index: number; term: number }): Promise<SnapshotReader> {
    const file = path.join(this.dir, snapshotFileName(meta));
    let fd: number;
    try {
      fd = await this.fs.open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SnapshotFileError(file, 'not found');
      throw err;
    }
    try {
      const trailer = readTrailer(this.fs, fd, file);
      if (trailer.meta.index !== meta.index || trailer.meta.term !== meta.term) {
        throw new SnapshotFileError(file, `holds ${trailer.meta.index}/${trailer.meta.term}`);
      }
      return new SnapshotReader(this.fs, fd, file, trailer);
    } catch (err) {
      await this.fs.close(fd);
      throw err;
    }
  }

  /** Metadata of every complete snapshot, newest (highest index) first. Files failing their trailer check are skipped. */
  list(): SnapshotMeta[] {
    const found: SnapshotMeta[] = [];
    for (const name of this.fs.readdirSync(this.dir)) {
      if (!NAME.test(name)) continue;
      const file = path.join(this.dir, name);
      const fd = this.fs.openSync(file, 'r');
      try {
        found.push(readTrailer(this.fs, fd, file).meta);
      } catch (err) {
        if (!(err instanceof SnapshotFileError)) throw err;
      } finally {
        this.fs.closeSync(fd);
      }
    }
    return found.sort((a, b) => b.index - a.index || b.term - a.term);
  }

  /** The newest complete snapshot, or undefined when there is none. */
  latest(): SnapshotMeta | undefined {
    return this.list()[0];
  }

  /** Deletes the snapshot files older than `keep` (called once `keep` is durable). */
  async removeOlderThan(keep: SnapshotMeta): Promise<void> {
    let removed = false;
    for (const name of this.fs.readdirSync(this.dir)) {
      const m = NAME.exec(name);
      if (m?.[1] === undefined || m[2] === undefined) continue;
      const index = parseInt(m[1], 16);
      const term = parseInt(m[2], 16);
      if (index < keep.index || (index === keep.index && term < keep.term)) {
        await this.fs.unlink(path.join(this.dir, name));
        removed = true;
      }
    }
    if (removed) await syncDir(this.fs, this.dir);
  }

  /** @internal Makes a finished temp file the snapshot for its metadata, durably. */
  async publish(temp: string, final: string): Promise<void> {
    await this.fs.rename(temp, final);
    await syncDir(this.fs, this.dir);
  }
}

/** Writes one snapshot's data in chunks. Use write() in order, then finish() (or abort()). */
export class SnapshotWriter {
  private offset = 0;
  private crc = 0;
  private state: 'open' | 'finished' | 'failed' = 'open';
  private queue: Promise<void> = Promise.resolve();

  /** @internal created by SnapshotStore.create */
  constructor(
    private readonly fs: StorageFs,
    private readonly store: SnapshotStore,
    readonly meta: SnapshotMeta,
    private readonly fd: number,
    private readonly temp: string,
    private readonly final: string,
  ) {}

  /** Bytes of data written so far. */
  get size(): number {
    return this.offset;
  }

  /** Appends a chunk of data. Calls are carried out in order. */
  write(chunk: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      await this.fs.write(this.fd, chunk, this.offset);
      this.crc = crc32c(chunk, this.crc);
      this.offset += chunk.length;
    });
  }

  /**
   * Completes the snapshot: metadata and trailer, fsync, rename into place, fsync the directory. Once that is
   * durable, older snapshots are removed. Resolves when all of it is done.
   */
  finish(): Promise<void> {
    return this.enqueue(async () => {
      await this.fs.write(this.fd, encodeTrailer(this.meta, this.offset, this.crc), this.offset);
      await this.fs.fsync(this.fd);
      await this.fs.close(this.fd);
      this.state = 'finished';
      await this.store.publish(this.temp, this.final);
      await this.store.removeOlderThan(this.meta);
    });
  }

  /** Abandons the snapshot and removes its temporary file. */
  async abort(): Promise<void> {
    if (this.state === 'finished') return;
    await this.queue.catch(() => undefined);
    if (this.state === 'open') await this.fs.close(this.fd).catch(() => undefined);
    this.state = 'finished';
    await this.fs.unlink(this.temp).catch(() => undefined);
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    if (this.state !== 'open') {
      return Promise.reject(new StorageUsageError(`snapshot writer for ${this.meta.index} is ${this.state}`));
    }
    const run = this.queue.then(step).catch(async (err: unknown) => {
      if (this.state === 'open') {
        this.state = 'failed';
        await this.fs.close(this.fd).catch(() => undefined);
      }
      throw err;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Reads one complete snapshot's data. */
export class SnapshotReader {
  readonly meta: SnapshotMeta;
  /** Length of the data in bytes. */
  readonly size: number;
  private readonly dataCrc: number;

  /** @internal created by SnapshotStore.open */
  constructor(
    private readonly fs: StorageFs,
    private readonly fd: number,
    readonly file: string,
    trailer: Trailer,
  ) {
    this.meta = trailer.meta;
    this.size = trailer.dataLength;
    this.dataCrc = trailer.dataCrc;
  }

  /** Up to `length` bytes of data from `offset` (fewer only at the end). */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const k = await this.fs.read(this.fd, buf, got, n - got, offset + got);
      if (k === 0) throw new SnapshotFileError(this.file, `ends early at ${offset + got}`);
      got += k;
    }
    return buf;
  }

  /** The data in chunks, in order. */
  async *chunks(chunkBytes: number = DEFAULT_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
    for (let off = 0; off < this.size; off += chunkBytes) yield await this.read(off, chunkBytes);
  }

  /** Reads the whole data and checks it against the checksum recorded when it was written. */
  async verify(): Promise<void> {
    let crc = 0;
    for await (const chunk of this.chunks()) crc = crc32c(chunk, crc);
    if (crc !== this.dataCrc) throw new SnapshotFileError(this.file, 'data checksum mismatch');
  }

  close(): Promise<void> {
    return this.fs.close(this.fd);
  }
}
