/** Errors raised by the durable storage. Each has a stable `code` callers can match on. */

/** Base class of every storage error. */
export abstract class StorageError extends Error {
  abstract readonly code: string;
}

/**
 * The on-disk log cannot be trusted: a bad record before the tail, a record that contradicts the ones before it
 * or an unreadable segment. Start-up refuses rather than dropping data that may have been acknowledged.
 */
export class LogCorruptionError extends StorageError {
  readonly code = 'ERR_WALRAFT_LOG_CORRUPT';
  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`corrupt log ${file} at offset ${offset}: ${detail}`);
    this.name = 'LogCorruptionError';
  }
}

/** A segment the log needs is absent (a hole in the sequence, or entries that only a deleted segment held). */
export class LogMissingSegmentError extends StorageError {
  readonly code = 'ERR_WALRAFT_LOG_MISSING_SEGMENT';
  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`missing log segment ${file} (needed at offset ${offset}): ${detail}`);
    this.name = 'LogMissingSegmentError';
  }
}

/** Entry indexes in the log are not contiguous: an entry follows a hole. */
export class LogGapError extends StorageError {
  readonly code = 'ERR_WALRAFT_LOG_GAP';
  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`gap in log ${file} at offset ${offset}: ${detail}`);
    this.name = 'LogGapError';
  }
}

/**
 * A write, fsync or other file operation failed. The storage is unusable from then on: every later call throws
 * this error and nothing written after the failure is ever acknowledged.
 */
export class StorageFatalError extends StorageError {
  readonly code = 'ERR_WALRAFT_STORAGE_FATAL';
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`storage failed during ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StorageFatalError';
  }
}

/** The caller broke the storage contract (an append leaving a gap, a read below the first index, ...). */
export class StorageUsageError extends StorageError {
  readonly code = 'ERR_WALRAFT_STORAGE_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'StorageUsageError';
  }
}

/** The storage was closed. */
export class StorageClosedError extends StorageError {
  readonly code = 'ERR_WALRAFT_STORAGE_CLOSED';
  constructor() {
    super('storage is closed');
    this.name = 'StorageClosedError';
  }
}

/** A snapshot file is absent or fails its checksum. */
export class SnapshotFileError extends StorageError {
  readonly code = 'ERR_WALRAFT_SNAPSHOT_FILE';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`snapshot ${file}: ${detail}`);
    this.name = 'SnapshotFileError';
  }
}
