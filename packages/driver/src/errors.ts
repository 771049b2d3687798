import BetterSqlite3 from 'better-sqlite3';
import {
  ClusterUnavailableError,
  CommitOutcomeUnknownError,
  DatabaseNotFoundError,
  InvalidDatabaseNameError,
  InvalidParameterError,
  NotLeaderError,
  ReadTransactionTimeoutError,
  ReplicationClosedError,
  SqliteError,
  TokenExpiredError,
  TokenReusedError,
  TransactionIdleTimeoutError,
  TransactionTooLargeError,
} from '@walraft/replication';
import { ClusterMismatchError } from '@walraft/raft';

export {
  ClusterMismatchError,
  ClusterUnavailableError,
  CommitOutcomeUnknownError,
  DatabaseNotFoundError,
  InvalidDatabaseNameError,
  InvalidParameterError,
  NotLeaderError,
  ReadTransactionTimeoutError,
  ReplicationClosedError as ClosedError,
  SqliteError,
  TokenExpiredError,
  TokenReusedError,
  TransactionIdleTimeoutError,
  TransactionTooLargeError,
};

/** A read could not be confirmed in time (no leader, or the leader could not reach a quorum). */
export class TimeoutError extends Error {
  readonly code = 'WALRAFT_TIMEOUT';
  readonly definite = true;
  constructor(what: string) {
    super(`${what} timed out`);
    this.name = 'TimeoutError';
  }
}

/** No node could be reached to send the request to: nothing was sent (definite). */
export class NodeUnavailableError extends Error {
  readonly code = 'WALRAFT_NODE_UNAVAILABLE';
  readonly definite = true;
  constructor(detail: string) {
    super(`no node reachable: ${detail}`);
    this.name = 'NodeUnavailableError';
  }
}

/** A `none` read with `maxLag` on a replica further behind than allowed. */
export class ReplicaLagError extends Error {
  readonly code = 'WALRAFT_REPLICA_LAG';
  readonly definite = true;
  constructor(
    readonly lag: number,
    readonly maxLag: number,
  ) {
    super(`the replica is ${lag} entries behind the commit index it knows, more than maxLag ${maxLag}`);
    this.name = 'ReplicaLagError';
  }
}

/** An interactive transaction ended before its commit was sent (connection lost, node gone): rolled back. */
export class TransactionAbortedError extends Error {
  readonly code = 'WALRAFT_TRANSACTION_ABORTED';
  readonly definite = true;
  constructor(
    readonly token: Uint8Array,
    why: string,
  ) {
    super(`transaction ${Buffer.from(token).toString('hex')} was rolled back: ${why}`);
    this.name = 'TransactionAbortedError';
  }
}

/** A request a node cannot make sense of (a malformed token, a transaction step out of order): refused. */
export class InvalidRequestError extends Error {
  readonly code = 'WALRAFT_INVALID_REQUEST';
  readonly definite = true;
  constructor(detail: string) {
    super(`invalid request: ${detail}`);
    this.name = 'InvalidRequestError';
  }
}

/** A node answered with something this driver does not understand (version skew, corruption). */
export class ProtocolError extends Error {
  readonly code = 'WALRAFT_PROTOCOL';
  readonly definite = false;
  constructor(detail: string) {
    super(`protocol error: ${detail}`);
    this.name = 'ProtocolError';
  }
}

/** An error a node reported whose class this driver does not know; code and definite as the node sent them. */
export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly definite: boolean,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** Every error a walraft handle throws: a stable `code`, and `definite` = certainly not committed. */
export interface WalraftError extends Error {
  readonly code: string;
  readonly definite: boolean;
}

/** The failure of a request as it travels between nodes and clients (see proto/client.proto). */
export interface WireFailure {
  readonly code: string;
  readonly message: string;
  readonly definite: boolean;
  readonly token: Uint8Array;
  readonly leader: number;
  readonly leaderAddress: string;
}

/**
 * Turns what a local operation threw into one of the exported error classes: better-sqlite3's own errors
 * (from local reads) become SqliteError or InvalidParameterError; anything unexpected stays as it is.
 */
export function normalizeError(err: unknown): unknown {
  if (isBetterSqliteError(err)) return new SqliteError(err.code, err.message);
  if ((err instanceof TypeError || err instanceof RangeError) && /bind|parameter/i.test(err.message)) {
    return new InvalidParameterError(err.message);
  }
  return err;
}

/**
 * better-sqlite3's SqliteError, recognised by shape: its native addon throws the class of whichever copy of
 * the module loaded it first, so `instanceof` fails where two copies (or module registries) coexist.
 */
function isBetterSqliteError(err: unknown): err is { code: string; message: string } {
  if (err instanceof SqliteError) return false;
  if (err instanceof BetterSqlite3.SqliteError) return true;
  if (typeof err !== 'object' || err === null) return false;
  // also an error built in another realm (a vm context), where instanceof Error is false
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  return (
    e.name === 'SqliteError' &&
    typeof e.code === 'string' &&
    e.code.startsWith('SQLITE_') &&
    typeof e.message === 'string'
  );
}

export function toWireFailure(err: unknown, leaderAddress = ''): WireFailure {
  const e = normalizeError(err);
  if (e instanceof Error) {
    const f = e as Error & { code?: unknown; definite?: unknown; token?: unknown; leader?: unknown };
    return {
      code: typeof f.code === 'string' ? f.code : 'WALRAFT_INTERNAL',
      message: e.message,
      definite: f.definite === true,
      token: f.token instanceof Uint8Array ? f.token : new Uint8Array(0),
      leader: typeof f.leader === 'number' ? f.leader : 0,
      leaderAddress,
    };
  }
  return {
    code: 'WALRAFT_INTERNAL',
    message: String(e),
    definite: false,
    token: new Uint8Array(0),
    leader: 0,
    leaderAddress,
  };
}

/** The exported error class a node's failure stands for, with the node's message. */
export function fromWireFailure(f: WireFailure): Error {
  const e = reconstruct(f);
  if (e.message !== f.message) e.message = f.message;
  return e;
}

function reconstruct(f: WireFailure): Error {
  const token = Buffer.from(f.token);
  switch (f.code) {
    case 'WALRAFT_NOT_LEADER':
      return new NotLeaderError(f.leader, f.message);
    case 'WALRAFT_OUTCOME_UNKNOWN':
      return new CommitOutcomeUnknownError(token, f.message);
    case 'WALRAFT_TOKEN_EXPIRED':
      return new TokenExpiredError(token, f.definite);
    case 'WALRAFT_TOKEN_REUSED':
      return new TokenReusedError(token);
    case 'WALRAFT_TRANSACTION_TOO_LARGE':
      return new TransactionTooLargeError(0, 0);
    case 'WALRAFT_NO_SUCH_DATABASE':
      return new DatabaseNotFoundError('');
    case 'WALRAFT_INVALID_DATABASE_NAME':
      return new InvalidDatabaseNameError('');
    case 'WALRAFT_INVALID_PARAMETER':
      return new InvalidParameterError(f.message);
    case 'WALRAFT_CLOSED':
      return new ReplicationClosedError();
    case 'WALRAFT_TRANSACTION_IDLE':
      return new TransactionIdleTimeoutError(0);
    case 'WALRAFT_CLUSTER_UNAVAILABLE':
      return new ClusterUnavailableError(f.message);
    case 'WALRAFT_READ_TIMEOUT':
      return new ReadTransactionTimeoutError(0);
    case 'WALRAFT_TIMEOUT':
      return new TimeoutError('the request');
    case 'WALRAFT_NODE_UNAVAILABLE':
      return new NodeUnavailableError(f.message);
    case 'WALRAFT_REPLICA_LAG':
      return new ReplicaLagError(0, 0);
    case 'WALRAFT_TRANSACTION_ABORTED':
      return new TransactionAbortedError(token, f.message);
    case 'WALRAFT_INVALID_REQUEST':
      return new InvalidRequestError(f.message);
    case 'RAFT_CLUSTER_MISMATCH':
      return new ClusterMismatchError(f.message);
    default:
      if (f.code.startsWith('SQLITE_')) return new SqliteError(f.code, f.message);
      return new RemoteError(f.code, f.message, f.definite);
  }
}

/** Whether retrying the same request (same token) later may succeed: a definite, transient failure. */
export function isRetryable(err: unknown): boolean {
  return (
    err instanceof NotLeaderError ||
    err instanceof ClusterUnavailableError ||
    err instanceof NodeUnavailableError ||
    err instanceof TimeoutError
  );
}
