import * as path from 'node:path';
import type { Entry, HardState, Index, SnapshotMeta, Term } from '../core/types';
import type { LogRecord } from './codec';
import { encodeRecord, readFrame } from './codec';
import { LogCorruptionError, StorageClosedError, StorageFatalError, StorageUsageError } from './errors';
import type { StorageFs } from './fs';
import { nodeStorageFs, syncDir } from './fs';
import { LogIndex } from './log-index';
import type { StorageLogger } from './recovery';
import { recoverLog } from './recovery';
import { SegmentAllocator } from './segment-files';
import { TailCache } from './tail-cache';
import type { RaftStorage } from './types';

export interface LogStoreOptions {
  /** Preallocated size of each segment file. Default 16 MiB. */
  readonly segmentBytes?: number;
  /** The hot-tail cache keeps at most this many entries... Default 4096. */
  readonly cacheEntries?: number;
  /** ...and at most this many bytes of entry data. Default 16 MiB. */
  readonly cacheBytes?: number;
  /** File operations; tests substitute a wrapper that injects failures. */
  readonly fs?: StorageFs;
  /** Where start-up repairs (a truncated torn tail) are reported. Default: console. */
  readonly logger?: StorageLogger;
}

interface Segment {
  readonly seq: number;
  path: string;
  /** Undefined until the writer creates the file (a segment is planned when a record first lands in it). */
  fd: number | undefined;
  /** Bytes assigned to records so far. */
  size: number;
  /** Bytes written to the file (readable with pread). */
  written: number;
  /** Size of the checkpoint record that opens the segment. */
  headerBytes: number;
  maxIndex: Index;
  /** Its checkpoint has been fsynced. */
  durable: boolean;
}

/** Records waiting to be written: consecutive bytes of one segment. */
interface PendingWrite {
  readonly segment: Segment;
  readonly offset: number;
  readonly parts: Buffer[];
  bytes: number;
}

interface Round {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

function newRound(): Round {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The most one disk read of older entries fetches. */
const MAX_READ_BYTES = 4 << 20;

/** Batches up to this size are written synchronously; larger ones on the thread pool. */
const INLINE_WRITE_BYTES = 256 * 1024;

const EMPTY_META: SnapshotMeta = Object.freeze({
  index: 0,
  term: 0,
  conf: Object.freeze({ voters: [], learners: [] }),
});

/**
 * The durable Raft log: segmented append-only files holding entries, hard states and snapshot boundaries as
 * CRC32C-framed records, with group commit. See {@link RaftStorage} for the contract.
 *
 * Writes are only buffered by `append`/`setHardState`; `sync()` hands everything buffered to a single writer
 * that writes it and issues one `fdatasync` per segment touched. Calls to `sync()` made while a write is in
 * flight share the next one, so N concurrent proposals cost one fsync.
 */
export class LogStore implements RaftStorage {
  private readonly fs: StorageFs;
  private readonly segmentBytes: number;
  private readonly cacheEntries: number;
  private readonly cacheBytes: number;
  private readonly allocator: SegmentAllocator;
  private readonly segments: Segment[];
  private readonly bySeq = new Map<number, Segment>();
  private readonly index: LogIndex;
  private readonly cache: TailCache;
  private snap: SnapshotMeta;
  private hs: HardState;
  private readonly startHardState: HardState;
  /** The boundary the files on disk are known to hold (segments it covers may be deleted). */
  private durableBoundary: SnapshotMeta;
  private pending: PendingWrite[] = [];
  private inFlight: Round | undefined;
  private nextRound: Round | undefined;
  private writerRunning = false;
  private writerDone: Promise<void> = Promise.resolve();
  private fatal: StorageFatalError | undefined;
  private closed = false;

  private constructor(
    private readonly dir: string,
    opts: LogStoreOptions,
    state: { boundary: SnapshotMeta; hardState: HardState; index: LogIndex; segments: Segment[] },
  ) {
    this.fs = opts.fs ?? nodeStorageFs;
    this.segmentBytes = opts.segmentBytes ?? 16 << 20;
    this.cacheEntries = opts.cacheEntries ?? 4096;
    this.cacheBytes = opts.cacheBytes ?? 16 << 20;
    this.allocator = new SegmentAllocator(this.fs, dir, this.segmentBytes);
    this.snap = state.boundary;
    this.durableBoundary = state.boundary;
    this.hs = state.hardState;
    this.startHardState = state.hardState;
    this.index = state.index;
    this.cache = new TailCache(state.index.lastIndex + 1);
    this.segments = state.segments;
    for (const s of this.segments) this.bySeq.set(s.seq, s);
  }

  /**
   * Opens (or creates) the log in `dir`. Throws a LogCorruptionError, LogGapError or LogMissingSegmentError when
   * the files on disk cannot be trusted; a torn last record is truncated and reported through the logger.
   */
  static async open(dir: string, opts: LogStoreOptions = {}): Promise<LogStore> {
    const fsys = opts.fs ?? nodeStorageFs;
    const logger = opts.logger ?? console;
    const recovered = recoverLog(fsys, dir, logger);
    if (recovered) {
      const segments = recovered.segments.map((s): Segment => ({
        seq: s.seq,
        path: s.path,
        fd: s.fd,
        size: s.size,
        written: s.size,
        headerBytes: 0,
        maxIndex: s.maxIndex,
        durable: true,
      }));
      const store = new LogStore(dir, opts, { ...recovered, segments });
      store.allocator.prepare();
      return store;
    }
    const first: Segment = {
      seq: 0,
      path: '',
      fd: undefined,
      size: 0,
      written: 0,
      headerBytes: 0,
      maxIndex: 0,
      durable: false,
    };
    const store = new LogStore(dir, opts, {
      boundary: EMPTY_META,
      hardState: { term: 0, vote: 0, commit: 0 },
      index: new LogIndex(1),
      segments: [first],
    });
    store.startSegment(first);
    try {
      await store.sync();
      // The directory itself may be new: make its entry in the parent durable too.
      await syncDir(fsys, path.dirname(path.resolve(dir)));
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  // ---- read side ----

  initialHardState(): HardState {
    this.check();
    return this.startHardState;
  }

  firstIndex(): Index {
    this.check();
    return this.snap.index + 1;
  }

  lastIndex(): Index {
    this.check();
    return this.index.lastIndex;
  }

  term(i: Index): Term | undefined {
    this.check();
    return i === this.snap.index ? this.snap.term : this.index.term(i);
  }

  snapshot(): SnapshotMeta {
    this.check();
    return this.snap;
  }

  /** The hard state most recently recorded (durable after the next sync). */
  hardState(): HardState {
    this.check();
    return this.hs;
  }

  entries(lo: Index, hi: Index, maxBytes: number): Entry[] {
    this.check();
    if (lo <= this.snap.index) {
      throw new StorageUsageError(`entries(${lo}): compacted (first index is ${this.snap.index + 1})`);
    }
    const end = Math.min(hi, this.index.lastIndex + 1);
    const out: Entry[] = [];
    let bytes = 0;
    let run: Entry[] = [];
    let next = 0;
    for (let i = lo; i < end; i++) {
      let e = this.cache.get(i);
      if (!e) {
        if (next >= run.length) {
          run = this.readRun(i, end, Math.max(1, Math.min(maxBytes - bytes, MAX_READ_BYTES)));
          next = 0;
        }
        e = run[next++];
        if (!e) throw new StorageUsageError(`entry ${i} could not be read`);
      }
      if (out.length > 0 && bytes + e.data.length > maxBytes) break;
      bytes += e.data.length;
      out.push(e);
    }
    return out;
  }

  /**
   * Reads entries from `i` on (below `end` and below the cached tail) whose records lie back to back in one
   * segment, about `budget` bytes of records but at least one, with a single read.
   */
  private readRun(i: Index, end: Index, budget: number): Entry[] {
    const first = this.index.location(i);
    const seg = first && this.bySeq.get(first.segment);
    if (!first || seg?.fd === undefined) throw new StorageUsageError(`entry ${i} is neither cached nor written`);
    let span = first.size;
    let j = i + 1;
    for (const stop = Math.min(end, this.cache.firstIndex); j < stop && span < budget; j++) {
      const loc = this.index.location(j);
      if (loc?.segment !== first.segment || loc.offset !== first.offset + span) break;
      span += loc.size;
    }
    if (first.offset + span > seg.written) throw new StorageUsageError(`entry ${i} is neither cached nor written`);
    const buf = Buffer.allocUnsafe(span);
    let got = 0;
    try {
      while (got < span) {
        const n = this.fs.readSync(seg.fd, buf, got, span - got, first.offset + got);
        if (n === 0) break;
        got += n;
      }
    } catch (err) {
      throw this.fail('read', err);
    }
    const out: Entry[] = [];
    for (let k = i, off = 0; k < j; k++) {
      const frame = readFrame(buf, off, got);
      if (frame.kind !== 'record' || frame.record.kind !== 'entry' || frame.record.entry.index !== k) {
        const err = new LogCorruptionError(seg.path, first.offset + off, `entry ${k} unreadable`);
        this.fail('read', err);
        throw err;
      }
      out.push(frame.record.entry);
      off += frame.size;
    }
    return out;
  }

  // ---- write side ----

  append(entries: readonly Entry[]): void {
    this.check();
    const first = entries[0];
    if (!first) return;
    const last = this.index.lastIndex;
    if (first.index <= this.snap.index || first.index > last + 1) {
      throw new StorageUsageError(
        `append at ${first.index}: must be in (${this.snap.index}, ${last + 1}] (snapshot boundary, last index + 1)`,
      );
    }
    let prevTerm = this.term(first.index - 1) ?? 0;
    for (const [k, e] of entries.entries()) {
      if (e.index !== first.index + k) throw new StorageUsageError('append: entries are not contiguous');
      // Start-up refuses a log whose terms go down, so never write one.
      if (e.term < prevTerm) throw new StorageUsageError(`append: entry ${e.index} has term ${e.term} < ${prevTerm}`);
      prevTerm = e.term;
    }
    for (const e of entries) {
      // Placed before truncating: a segment checkpoint written by this placement must describe the log as the
      // records before it leave it, and the entry record itself is what truncates on replay.
      const { segment, offset, size } = this.place({ kind: 'entry', entry: e });
      if (e.index <= this.index.lastIndex) {
        this.index.truncateFrom(e.index);
        this.cache.truncateFrom(e.index);
      }
      this.index.push(e.index, e.term, { segment: segment.seq, offset, size });
      this.cache.push(e);
      segment.maxIndex = Math.max(segment.maxIndex, e.index);
    }
  }

  setHardState(hs: HardState): void {
    this.check();
    if (hs.term === this.hs.term && hs.vote === this.hs.vote && hs.commit === this.hs.commit) return;
    this.place({ kind: 'hardState', hardState: hs });
    this.hs = hs;
  }

  sync(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new StorageClosedError());
    if (this.pending.length === 0) return this.inFlight?.promise ?? Promise.resolve();
    const round = (this.nextRound ??= newRound());
    if (!this.writerRunning) {
      this.writerRunning = true;
      this.writerDone = this.runWriter();
    }
    return round.promise;
  }

  installSnapshot(meta: SnapshotMeta): Promise<void> {
    if (this.fatal || this.closed) return this.sync();
    if (meta.index <= this.snap.index) {
      return Promise.reject(
        new StorageUsageError(`installSnapshot at ${meta.index}: not past the boundary ${this.snap.index}`),
      );
    }
    const keepTail = this.index.term(meta.index) === meta.term;
    this.place({ kind: 'boundary', meta, keepTail });
    if (keepTail) {
      this.index.dropThrough(meta.index);
      this.cache.dropThrough(meta.index);
    } else {
      this.index.reset(meta.index + 1);
      this.cache.reset(meta.index + 1);
    }
    this.snap = meta;
    return this.sync();
  }

  compact(boundary: SnapshotMeta): Promise<void> {
    if (this.fatal || this.closed) return this.sync();
    if (boundary.index <= this.snap.index) return Promise.resolve();
    if (boundary.index > this.index.lastIndex || this.index.term(boundary.index) !== boundary.term) {
      return Promise.reject(
        new StorageUsageError(
          `compact to ${boundary.index}/${boundary.term}: not an entry of the log (last ${this.index.lastIndex})`,
        ),
      );
    }
    this.place({ kind: 'boundary', meta: boundary, keepTail: true });
    this.index.dropThrough(boundary.index);
    this.cache.dropThrough(boundary.index);
    this.snap = boundary;
    return this.sync();
  }

  /** Makes buffered writes durable (unless the storage has failed) and releases every file. */
  async close(): Promise<void> {
    if (this.closed) return;
    let error: unknown;
    if (!this.fatal) {
      try {
        await this.sync();
      } catch (err) {
        error = err;
      }
    }
    this.closed = true;
    await this.writerDone;
    await this.allocator.close();
    for (const s of this.segments) {
      if (s.fd !== undefined) this.fs.closeSync(s.fd);
      s.fd = undefined;
    }
    if (error instanceof Error && !(error instanceof StorageFatalError)) throw error;
  }

  // ---- internals ----

  private check(): void {
    if (this.fatal) throw this.fatal;
    if (this.closed) throw new StorageClosedError();
  }

  private fail(operation: string, cause: unknown): StorageFatalError {
    if (!this.fatal) {
      this.fatal = cause instanceof StorageFatalError ? cause : new StorageFatalError(operation, cause);
      this.inFlight?.reject(this.fatal);
      this.nextRound?.reject(this.fatal);
      this.inFlight = undefined;
      this.nextRound = undefined;
      this.pending = [];
    }
    return this.fatal;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }

  /** Assigns the record a place at the end of the log (rotating to a new segment when full) and queues it. */
  private place(rec: LogRecord): { segment: Segment; offset: number; size: number } {
    const bytes = encodeRecord(rec);
    let seg = this.active;
    if (seg.size + bytes.length > this.segmentBytes && seg.size > seg.headerBytes) {
      seg = {
        seq: seg.seq + 1,
        path: '',
        fd: undefined,
        size: 0,
        written: 0,
        headerBytes: 0,
        maxIndex: 0,
        durable: false,
      };
      this.segments.push(seg);
      this.startSegment(seg);
    }
    const offset = seg.size;
    this.enqueue(seg, offset, bytes);
    return { segment: seg, offset, size: bytes.length };
  }

  /** Opens a segment with a checkpoint of the current state, so every older segment can later be deleted. */
  private startSegment(seg: Segment): void {
    this.bySeq.set(seg.seq, seg);
    const lastIndex = this.index.lastIndex;
    const ckpt = encodeRecord({ kind: 'checkpoint', boundary: this.snap, hardState: this.hs, lastIndex });
    seg.headerBytes = ckpt.length;
    seg.maxIndex = lastIndex;
    this.enqueue(seg, 0, ckpt);
  }

  private enqueue(segment: Segment, offset: number, bytes: Buffer): void {
    segment.size = offset + bytes.length;
    const tail = this.pending[this.pending.length - 1];
    if (tail?.segment === segment && tail.offset + tail.bytes === offset) {
      tail.parts.push(bytes);
      tail.bytes += bytes.length;
    } else {
      this.pending.push({ segment, offset, parts: [bytes], bytes: bytes.length });
    }
  }

  /** The single writer: one round at a time, each covering everything buffered when it starts. */
  private async runWriter(): Promise<void> {
    while (this.nextRound && !this.fatal) {
      const round = this.nextRound;
      this.nextRound = undefined;
      this.inFlight = round;
      const writes = this.pending;
      this.pending = [];
      const boundary = this.snap;
      try {
        for (const w of writes) await this.writeAndSync(w);
      } catch (err) {
        this.fail('write', err);
        break;
      }
      if (this.fatal) break; // a failed read stopped the storage meanwhile: acknowledge nothing
      this.durableBoundary = boundary;
      this.cache.evict(this.cacheEntries, this.cacheBytes, (i) => this.isWritten(i));
      try {
        await this.removeCoveredSegments();
      } catch (err) {
        this.fail('segment removal', err);
        break;
      }
      this.inFlight = undefined;
      round.resolve();
    }
    this.writerRunning = false;
  }

  private async writeAndSync(w: PendingWrite): Promise<void> {
    const seg = w.segment;
    if (seg.fd === undefined) {
      // Every earlier segment is fsynced by now, so a crash can tear only the last segment.
      const file = await this.allocator.take(seg.seq);
      seg.fd = file.fd;
      seg.path = file.path;
    }
    if (w.bytes <= INLINE_WRITE_BYTES) {
      // Copying a small batch into the page cache takes microseconds: cheaper than a thread-pool round trip.
      const bytes = w.parts.length === 1 ? (w.parts[0] as Buffer) : Buffer.concat(w.parts);
      for (let done = 0; done < bytes.length;) {
        done += this.fs.writeSync(seg.fd, bytes, done, bytes.length - done, w.offset + done);
      }
    } else if (w.parts.length === 1) {
      await this.fs.write(seg.fd, w.parts[0] as Buffer, w.offset);
    } else {
      // a large batch of records goes out as they are, without first copying them into one buffer
      await this.fs.writev(seg.fd, w.parts, w.offset);
    }
    seg.written = Math.max(seg.written, w.offset + w.bytes);
    await this.fs.fdatasync(seg.fd);
    seg.durable = true;
  }

  private isWritten(i: Index): boolean {
    const loc = this.index.location(i);
    const seg = loc && this.bySeq.get(loc.segment);
    return loc !== undefined && seg !== undefined && loc.offset + loc.size <= seg.written;
  }

  /** Deletes the oldest segments once a durable boundary covers every entry they hold. */
  private async removeCoveredSegments(): Promise<void> {
    let removed = false;
    for (;;) {
      const [oldest, next] = this.segments;
      if (!oldest || !next?.durable || oldest.maxIndex > this.durableBoundary.index) break;
      this.segments.shift();
      this.bySeq.delete(oldest.seq);
      if (oldest.fd !== undefined) await this.fs.close(oldest.fd);
      oldest.fd = undefined;
      await this.fs.unlink(oldest.path);
      removed = true;
    }
    if (removed) await syncDir(this.fs, this.dir);
  }

  /** Segment files currently holding the log, oldest first (for inspection and tests). */
  segmentFiles(): string[] {
    return this.segments.filter((s) => s.path !== '').map((s) => path.basename(s.path));
  }
}
