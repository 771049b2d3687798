/**
 * Messages between the main thread and a database's writer thread. The writer thread owns every write to
 * its database: the leader's SQL (through the commit gate), follower applies, checkpoints, snapshot reads
 * and installs. One request at a time; replies carry the request's id.
 */

/** Statement parameters as better-sqlite3 takes them: positional or named. */
export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;

/**
 * One SQL statement of a request. `run`: a single statement, answered with changes and last rowid; `all`:
 * a single statement, answered with its rows too (e.g. `RETURNING`); `exec`: any number of statements,
 * without parameters or results.
 */
export interface Statement {
  readonly sql: string;
  readonly params?: SqlParams;
  readonly mode: 'run' | 'all' | 'exec';
}

export interface StatementResult {
  readonly changes: number;
  readonly lastInsertRowid: number | bigint;
  readonly rows?: readonly unknown[];
}

/** A SQL failure as it crosses the thread boundary. */
export interface WireError {
  readonly code: string;
  readonly message: string;
}

/** One write request of a group: its statements run atomically in a savepoint, with its token row. */
export interface GroupRequest {
  readonly token: Uint8Array;
  readonly statements: readonly Statement[];
  /** Only records the token as "did not commit" (recover burning a token that never committed). */
  readonly tombstone?: boolean;
}

export type RequestOutcome =
  | { readonly ok: true; readonly results: readonly StatementResult[] }
  | { readonly ok: false; readonly error: WireError };

/** How the writer's COMMIT ended. */
export type CommitEnd =
  | { readonly committed: true }
  | {
      readonly committed: false;
      readonly gate: 'not-committed' | 'outcome-unknown' | undefined;
      readonly error: WireError;
    };

export type ToWriter =
  | {
      readonly op: 'group';
      readonly id: number;
      readonly requests: readonly GroupRequest[];
      /** The leader's clock, written into the token rows. */
      readonly at: number;
      /** Token rows older than this (leader clock) are pruned in the same transaction; 0 = none. */
      readonly pruneBefore: number;
      /** The database's transaction number this commit gets (written into the token rows). */
      readonly seq: number;
    }
  /** VACUUM, which SQLite runs as a transaction of its own (no token row can join it). */
  | { readonly op: 'vacuum'; readonly id: number; readonly seq: number }
  | { readonly op: 'begin'; readonly id: number }
  | { readonly op: 'statement'; readonly id: number; readonly statement: Statement }
  | {
      readonly op: 'commit';
      readonly id: number;
      readonly token: Uint8Array;
      readonly at: number;
      readonly seq: number;
    }
  | { readonly op: 'rollback'; readonly id: number }
  | {
      readonly op: 'apply';
      readonly id: number;
      readonly pageSize: number;
      readonly dbSize: number;
      readonly pgnos: Uint32Array;
      readonly pages: Uint8Array;
    }
  | { readonly op: 'checkpoint'; readonly id: number; readonly mode: 'passive' | 'full' | 'truncate' }
  | { readonly op: 'snapshotOpen'; readonly id: number }
  | { readonly op: 'snapshotRead'; readonly id: number; readonly firstPage: number; readonly count: number }
  | { readonly op: 'snapshotClose'; readonly id: number }
  | {
      readonly op: 'install';
      readonly id: number;
      readonly pageSize: number;
      readonly file: string;
      readonly offset: number;
      readonly pageCount: number;
    }
  | { readonly op: 'seq'; readonly id: number }
  | { readonly op: 'close'; readonly id: number };

export type FromWriter =
  /** The group's requests ran; COMMIT is next (it parks at the commit gate). */
  | {
      readonly kind: 'prepared';
      readonly id: number;
      readonly seq: number;
      readonly outcomes: readonly RequestOutcome[];
    }
  /** The group or interactive commit finished; `commit` is absent when nothing was left to commit. */
  | {
      readonly kind: 'committed';
      readonly id: number;
      readonly outcomes: readonly RequestOutcome[];
      readonly commit?: CommitEnd;
    }
  | { readonly kind: 'result'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError; readonly retryable: boolean }
  /** Something an operator should hear of (e.g. readers keep the WAL from being checkpointed). */
  | {
      readonly kind: 'warning';
      readonly id: 0;
      readonly message: string;
      readonly fields: Readonly<Record<string, unknown>>;
    };

/** Result of a checkpoint on the writer thread. */
export interface CheckpointReport {
  readonly busy: boolean;
  readonly walFrames: number;
  readonly checkpointedFrames: number;
  /** Every WAL frame is in the database file (and the file synced). */
  readonly complete: boolean;
}

export interface SnapshotOpened {
  readonly pageSize: number;
  readonly pageCount: number;
}

/** Settings of a writer thread, passed as its workerData. */
export interface WriterSettings {
  /** Canonical path of the database (registered as replicated by the main thread). */
  readonly path: string;
  /** After a commit or apply leaves more WAL frames than this, checkpoint (PASSIVE, then TRUNCATE). */
  readonly checkpointWalFrames: number;
  /** How long an apply or install keeps retrying while readers hold the locks it needs. */
  readonly busyRetryMs: number;
}

/** Name of the reserved table that holds commit tokens inside every replicated database. */
export const tokenTable = '_walraft_tokens';
