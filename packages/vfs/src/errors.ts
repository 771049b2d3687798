/** Base class of every error this package throws; `code` is stable and safe to branch on. */
export class VfsError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** better-sqlite3's SQLite is not the release the wal-index code was validated against. */
export class SqliteVersionError extends VfsError {
  constructor(
    readonly found: string,
    readonly expected: string,
  ) {
    super('ERR_WALRAFT_SQLITE_VERSION', `SQLite ${found} is not supported: walraft needs ${expected}`);
  }
}

/** The compiled addon is missing or could not be loaded. */
export class AddonLoadError extends VfsError {
  constructor(path: string, cause: unknown) {
    super('ERR_WALRAFT_ADDON', `cannot load the native addon at ${path}: run "npm rebuild @walraft/vfs"`, { cause });
  }
}

/** A database failed a precondition for replication (not WAL mode, wrong settings, exists). */
export class DatabaseSetupError extends VfsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WALRAFT_DATABASE_SETUP', message, options);
  }
}

/**
 * A SQLite-level failure inside the addon. `sqliteCode` is SQLite's extended result code;
 * `retryable` is true for SQLITE_BUSY (another holder of the write lock): nothing was written.
 */
export class SqliteNativeError extends VfsError {
  readonly sqliteCode: number;
  readonly retryable: boolean;

  constructor(sqliteCode: number, message: string) {
    super(sqliteCode === SQLITE_BUSY ? 'ERR_WALRAFT_BUSY' : 'ERR_WALRAFT_SQLITE', message);
    this.sqliteCode = sqliteCode;
    this.retryable = (sqliteCode & 0xff) === SQLITE_BUSY;
  }
}

/**
 * A snapshot to install does not fit the database: wrong page size or page count, page 1 not
 * a WAL-mode database header, a missing or short file. Found before anything was locked or
 * written: the database is untouched.
 */
export class InvalidSnapshotError extends VfsError {
  constructor(message: string) {
    super('ERR_WALRAFT_INVALID_SNAPSHOT', message);
  }
}

/** Something was used after close(). */
export class ClosedError extends VfsError {
  constructor(what: string) {
    super('ERR_WALRAFT_CLOSED', `${what} is closed`);
  }
}

export const SQLITE_BUSY = 5;
/** The commit gate aborted: the transaction certainly did not commit. */
export const SQLITE_IOERR_NOT_COMMITTED = 10 | (40 << 8);
/** The commit gate aborted or timed out: the transaction may still commit through replication. */
export const SQLITE_IOERR_OUTCOME_UNKNOWN = 10 | (41 << 8);

/** What a failed leader statement means for replication, read from better-sqlite3's error. */
export type GateFailure = 'not-committed' | 'outcome-unknown';

/**
 * Classifies an error thrown by better-sqlite3 on a replicated database: the gate's two IOERR
 * codes reach JavaScript as `UNKNOWN_SQLITE_ERROR_<n>`. Returns undefined for any other error.
 */
export function gateFailureOf(err: unknown): GateFailure | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err) || typeof err.code !== 'string') return undefined;
  if (err.code === `UNKNOWN_SQLITE_ERROR_${SQLITE_IOERR_NOT_COMMITTED}`) return 'not-committed';
  if (err.code === `UNKNOWN_SQLITE_ERROR_${SQLITE_IOERR_OUTCOME_UNKNOWN}`) return 'outcome-unknown';
  return undefined;
}
