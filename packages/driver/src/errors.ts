export {
  ClusterUnavailableError,
  CommitOutcomeUnknownError,
  DatabaseNotFoundError,
  InvalidDatabaseNameError,
  NotLeaderError,
  ReadTransactionTimeoutError,
  ReplicationClosedError as ClosedError,
  SqliteError,
  TokenExpiredError,
  TokenReusedError,
  TransactionIdleTimeoutError,
  TransactionTooLargeError,
} from '@walraft/replication';

/** A read could not be confirmed in time (no leader, or the leader could not reach a quorum). */
export class TimeoutError extends Error {
  readonly code = 'WALRAFT_TIMEOUT';
  readonly definite = true;
  constructor(what: string) {
    super(`${what} timed out`);
    this.name = 'TimeoutError';
  }
}
