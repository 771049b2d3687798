import { ClosedError, InvalidSnapshotError, SqliteNativeError } from './errors';
import type { FrameSet, PackedFrames } from './frames';
import { isPacked, packFrames } from './frames';
import type { NativeAddon, NativeApplyHandle } from './native';
import { loadAddon } from './native';
import { isValidPageSize } from './page1';

export type CheckpointMode = 'passive' | 'full' | 'restart' | 'truncate';

const checkpointModes: Record<CheckpointMode, number> = { passive: 0, full: 1, restart: 2, truncate: 3 };

export interface CheckpointResult {
  /** SQLITE_BUSY: readers or another checkpointer kept it from finishing. */
  busy: boolean;
  /** Frames in the WAL, -1 if unknown. */
  walFrames: number;
  /** Frames copied into the database file, -1 if unknown. */
  checkpointedFrames: number;
}

/** The wal-index header as this node sees it. */
export interface WalIndexInfo {
  mxFrame: number;
  nPage: number;
  nBackfill: number;
  iChange: number;
  salt1: number;
  salt2: number;
  pageSize: number;
  /** Transactions applied through this connection. */
  applied: number;
  /** WAL restarts done by this connection's applies. */
  restarts: number;
}

// duck-typed: errors made by the addon belong to the main realm, which may not be the caller's
export function nativeError(err: unknown): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const message = 'message' in err && typeof err.message === 'string' ? err.message : 'SQLite error';
  if ('code' in err && err.code === 'ERR_WALRAFT_INVALID_SNAPSHOT') return new InvalidSnapshotError(message);
  if ('errcode' in err && typeof err.errcode === 'number') return new SqliteNativeError(err.errcode, message);
  return err;
}

const MAX_PAGE_COUNT = 0xffffffff;

function checkSnapshotShape(pageSize: number, offset: number, pageCount: number): void {
  if (!isValidPageSize(pageSize)) throw new InvalidSnapshotError(`invalid snapshot: page size ${pageSize}`);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidSnapshotError(`invalid snapshot: offset ${offset}`);
  if (!Number.isInteger(pageCount) || pageCount < 1 || pageCount > MAX_PAGE_COUNT) {
    throw new InvalidSnapshotError(`invalid snapshot: page count ${pageCount}`);
  }
}

/**
 * The native apply connection of one replicated database: a connection the addon opens on
 * better-sqlite3's own SQLite, used from the database's writer thread to append committed
 * transactions (follower apply) and to run checkpoints.
 */
export class ApplyConnection {
  readonly #native: NativeAddon;
  #handle: NativeApplyHandle | undefined;

  private constructor(native: NativeAddon, handle: NativeApplyHandle) {
    this.#native = native;
    this.#handle = handle;
  }

  /** Opens it on an existing WAL-mode database (see createDatabaseFile). */
  static open(file: string): ApplyConnection {
    const native = loadAddon();
    try {
      return new ApplyConnection(native, native.applyOpen(file));
    } catch (err) {
      throw nativeError(err);
    }
  }

  #live(): NativeApplyHandle {
    if (this.#handle === undefined) throw new ClosedError('the apply connection');
    return this.#handle;
  }

  /**
   * Appends one committed transaction to the WAL and publishes it: when this returns, every
   * new read transaction on any connection sees it, atomically. Throws SqliteNativeError
   * with `retryable` when another holder of the write lock is active; nothing was applied.
   */
  apply(frames: FrameSet | PackedFrames): void {
    const p = isPacked(frames) ? frames : packFrames(frames);
    try {
      this.#native.applyFrames(this.#live(), p.pageSize, p.dbSize, p.pgnos, p.data);
    } catch (err) {
      throw nativeError(err);
    }
  }

  checkpoint(mode: CheckpointMode): CheckpointResult {
    try {
      const r = this.#native.checkpoint(this.#live(), checkpointModes[mode]);
      return { busy: r.busy, walFrames: r.log, checkpointedFrames: r.checkpointed };
    } catch (err) {
      throw nativeError(err);
    }
  }

  walInfo(): WalIndexInfo {
    try {
      return this.#native.walInfo(this.#live());
    } catch (err) {
      throw nativeError(err);
    }
  }

  /**
   * Replaces the database's content with a snapshot (whole pages, page 1 first) in place:
   * under all shm locks, so it fails with a retryable SqliteNativeError while any reader or
   * checkpoint is active; the WAL is emptied and readers see the new content afterwards.
   * Throws InvalidSnapshotError, having written nothing, when the pages do not fit the
   * database (page size, page 1's page count, not a WAL-mode header). A failure after that
   * (an I/O error) leaves the content undefined until an install succeeds.
   */
  installSnapshot(pageSize: number, data: Uint8Array): void {
    try {
      this.#native.installSnapshot(this.#live(), pageSize, data);
    } catch (err) {
      throw nativeError(err);
    }
  }

  /**
   * installSnapshot() with the pages read from a plain file, pageCount whole pages back to
   * back from byte `offset` (page 1 first), in chunks of 1 MiB: the snapshot is never whole
   * in memory. The file must not be one SQLite has open (closing a descriptor of a file drops
   * every POSIX lock the process holds on it); the database's own files are refused. Also
   * throws InvalidSnapshotError for a missing or short file.
   */
  installSnapshotFile(pageSize: number, file: string, offset: number, pageCount: number): void {
    checkSnapshotShape(pageSize, offset, pageCount);
    try {
      this.#native.installSnapshotFile(this.#live(), pageSize, file, offset, pageCount);
    } catch (err) {
      throw nativeError(err);
    }
  }

  get closed(): boolean {
    return this.#handle === undefined;
  }

  /** Closes without checkpointing (the WAL stays; the next open recovers nothing new). */
  close(): void {
    if (this.#handle === undefined) return;
    this.#native.applyClose(this.#handle);
    this.#handle = undefined;
  }
}
