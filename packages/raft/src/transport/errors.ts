/** Errors of the node-to-node transport. Each has a stable `code`. */
export abstract class TransportError extends Error {
  abstract readonly code: string;
}

/** A peer sent something that does not decode into a valid Raft message; the stream is closed. */
export class MalformedMessageError extends TransportError {
  readonly code = 'RAFT_MALFORMED_MESSAGE';
  constructor(detail: string) {
    super(`malformed Raft message: ${detail}`);
    this.name = 'MalformedMessageError';
  }
}

/** The other end belongs to another cluster (or is not the node we meant to reach). Refused on both sides. */
export class ClusterMismatchError extends TransportError {
  readonly code = 'RAFT_CLUSTER_MISMATCH';
  /** The call was refused: nothing it asked for happened. */
  readonly definite = true;
  constructor(detail: string) {
    super(detail);
    this.name = 'ClusterMismatchError';
  }
}

/** A snapshot transfer failed (connection lost, checksum mismatch, size mismatch, too large). */
export class SnapshotTransferError extends TransportError {
  readonly code = 'RAFT_SNAPSHOT_TRANSFER';
  constructor(detail: string) {
    super(`snapshot transfer failed: ${detail}`);
    this.name = 'SnapshotTransferError';
  }
}

/** The node could not bind its listening address (in use, not a local address, no permission). */
export class ListenError extends TransportError {
  readonly code = 'RAFT_LISTEN_FAILED';
  constructor(
    readonly address: string,
    detail: string,
  ) {
    super(`cannot listen on ${address}: ${detail}`);
    this.name = 'ListenError';
  }
}
