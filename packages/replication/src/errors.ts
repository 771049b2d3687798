/** Errors of the replicated state machine. Each has a stable `code`; `definite` = certainly not committed. */
export abstract class ReplicationError extends Error {
  abstract readonly code: string;
  /** true: the transaction concerned certainly did not commit (and never will); false: no such promise. */
  abstract readonly definite: boolean;
}

/** A Raft entry that does not decode into a valid replicated entry: the node must not apply it. */
export class MalformedEntryError extends ReplicationError {
  readonly code = 'WALRAFT_MALFORMED_ENTRY';
  readonly definite = false;
  constructor(detail: string) {
    super(`malformed replicated entry: ${detail}`);
    this.name = 'MalformedEntryError';
  }
}

/** An entry written by a newer format version than this node understands: upgrade the node. */
export class UnsupportedEntryVersionError extends ReplicationError {
  readonly code = 'WALRAFT_ENTRY_VERSION';
  readonly definite = false;
  constructor(readonly version: number) {
    super(`replicated entry format version ${version} is not supported by this node (it knows up to 1)`);
    this.name = 'UnsupportedEntryVersionError';
  }
}

/** A transaction whose entry would exceed the maximum entry size; it was not proposed (definite failure). */
export class TransactionTooLargeError extends ReplicationError {
  readonly code = 'WALRAFT_TRANSACTION_TOO_LARGE';
  readonly definite = true;
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`the transaction's entry would be ${bytes} bytes, above the limit of ${limit} bytes`);
    this.name = 'TransactionTooLargeError';
  }
}

/** A SQL error of one request (constraint, syntax, …): its transaction did not commit (definite). */
export class SqliteError extends ReplicationError {
  readonly definite = true;
  constructor(
    /** SQLite's extended result code name, e.g. `SQLITE_CONSTRAINT_UNIQUE`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SqliteError';
  }
}

/** This node is not the leader (or not yet ready to write in its term); nothing was proposed (definite). */
export class NotLeaderError extends ReplicationError {
  readonly code = 'WALRAFT_NOT_LEADER';
  readonly definite = true;
  constructor(
    /** The leader's node id when known, else 0. */
    readonly leader: number,
    detail?: string,
  ) {
    super(detail ?? (leader ? `not the leader; the leader is node ${leader}` : 'not the leader; no leader is known'));
    this.name = 'NotLeaderError';
  }
}

/**
 * The transaction was proposed, but whether it committed is not known (leadership lost, timeout, node
 * stopped). Ask `recover(token)` on the leader: its answer is final.
 */
export class CommitOutcomeUnknownError extends ReplicationError {
  readonly code = 'WALRAFT_OUTCOME_UNKNOWN';
  readonly definite = false;
  constructor(
    readonly token: Uint8Array,
    why: string,
  ) {
    super(`the commit outcome of transaction ${Buffer.from(token).toString('hex')} is unknown: ${why}`);
    this.name = 'CommitOutcomeUnknownError';
  }
}

/** The token is older than the retention window: its outcome can no longer be looked up. */
export class TokenExpiredError extends ReplicationError {
  readonly code = 'WALRAFT_TOKEN_EXPIRED';
  constructor(
    readonly token: Uint8Array,
    /** true when a write carrying the token was refused (it never ran); false from recover(). */
    readonly definite = false,
  ) {
    super(
      definite
        ? `commit token ${Buffer.from(token).toString('hex')} is older than the retention window: the write was refused`
        : `commit token ${Buffer.from(token).toString('hex')} is older than the retention window`,
    );
    this.name = 'TokenExpiredError';
  }
}

/** A write request carried a token that was already used (committed, or burnt by recover): refused. */
export class TokenReusedError extends ReplicationError {
  readonly code = 'WALRAFT_TOKEN_REUSED';
  readonly definite = true;
  constructor(readonly token: Uint8Array) {
    super(`commit token ${Buffer.from(token).toString('hex')} was already used`);
    this.name = 'TokenReusedError';
  }
}

export class DatabaseNotFoundError extends ReplicationError {
  readonly code = 'WALRAFT_NO_SUCH_DATABASE';
  readonly definite = true;
  constructor(readonly database: string) {
    super(`no replicated database named "${database}"`);
    this.name = 'DatabaseNotFoundError';
  }
}

export class InvalidDatabaseNameError extends ReplicationError {
  readonly code = 'WALRAFT_INVALID_DATABASE_NAME';
  readonly definite = true;
  constructor(readonly database: string) {
    super(
      `invalid database name "${database}": use 1–64 of A–Z a–z 0–9 _ . - , not starting with "." and not ending in -wal, -shm or -journal`,
    );
    this.name = 'InvalidDatabaseNameError';
  }
}

/** The replica's state and the log disagree: the node stops applying rather than diverge. */
export class ReplicaDivergedError extends ReplicationError {
  readonly code = 'WALRAFT_REPLICA_DIVERGED';
  readonly definite = false;
  constructor(detail: string) {
    super(`replica diverged: ${detail}`);
    this.name = 'ReplicaDivergedError';
  }
}

export class ReplicationClosedError extends ReplicationError {
  readonly code = 'WALRAFT_CLOSED';
  readonly definite = true;
  constructor(what = 'the replicated store') {
    super(`${what} is closed`);
    this.name = 'ReplicationClosedError';
  }
}

/** An interactive transaction was idle longer than allowed and was rolled back (definite). */
export class TransactionIdleTimeoutError extends ReplicationError {
  readonly code = 'WALRAFT_TRANSACTION_IDLE';
  readonly definite = true;
  constructor(ms: number) {
    super(`the transaction was idle for more than ${ms} ms and was rolled back`);
    this.name = 'TransactionIdleTimeoutError';
  }
}

/** No quorum answered in time before the request ran: nothing was proposed for it (definite). */
export class ClusterUnavailableError extends ReplicationError {
  readonly code = 'WALRAFT_CLUSTER_UNAVAILABLE';
  readonly definite = true;
  constructor(detail: string) {
    super(`the cluster is unavailable: ${detail}`);
    this.name = 'ClusterUnavailableError';
  }
}

/** A read transaction (e.g. a streamed query) stayed open longer than allowed and was ended. */
export class ReadTransactionTimeoutError extends ReplicationError {
  readonly code = 'WALRAFT_READ_TIMEOUT';
  readonly definite = true;
  constructor(ms: number) {
    super(`the read transaction stayed open longer than ${ms} ms and was ended (it holds back checkpoints)`);
    this.name = 'ReadTransactionTimeoutError';
  }
}

/** Statement parameters SQLite cannot bind (wrong type, missing or extra): nothing ran (definite). */
export class InvalidParameterError extends ReplicationError {
  readonly code = 'WALRAFT_INVALID_PARAMETER';
  readonly definite = true;
  constructor(detail: string) {
    super(`invalid statement parameters: ${detail}`);
    this.name = 'InvalidParameterError';
  }
}

/** A snapshot install a crash interrupted cannot be finished: the node's databases are in an undefined state. */
export class SnapshotRestoreError extends ReplicationError {
  readonly code = 'WALRAFT_SNAPSHOT_RESTORE';
  readonly definite = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SnapshotRestoreError';
  }
}
