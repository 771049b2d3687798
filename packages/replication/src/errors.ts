/** Errors of the replicated state machine. Each has a stable `code`; `definite` = certainly not committed. */
export abstract class ReplicationError extends Error {
  abstract readonly code: string;
}

/** A Raft entry that does not decode into a valid replicated entry: the node must not apply it. */
export class MalformedEntryError extends ReplicationError {
  readonly code = 'WALRAFT_MALFORMED_ENTRY';
  constructor(detail: string) {
    super(`malformed replicated entry: ${detail}`);
    this.name = 'MalformedEntryError';
  }
}

/** An entry written by a newer format version than this node understands: upgrade the node. */
export class UnsupportedEntryVersionError extends ReplicationError {
  readonly code = 'WALRAFT_ENTRY_VERSION';
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
