import type { NodeId } from '../core/types';

/** Errors of cluster operations (start-up, join, membership, transfer). Each has a stable `code`. */
export abstract class ClusterError extends Error {
  abstract readonly code: string;
}

/** The data directory belongs to another cluster or node than the options say. Refuses to start. */
export class DataDirMismatchError extends ClusterError {
  readonly code = 'RAFT_DATA_DIR_MISMATCH';
  constructor(detail: string) {
    super(detail);
    this.name = 'DataDirMismatchError';
  }
}

/** Another live process has the data directory open. */
export class DataDirLockedError extends ClusterError {
  readonly code = 'RAFT_DATA_DIR_LOCKED';
  constructor(
    readonly dir: string,
    readonly ownerPid: number,
  ) {
    super(`${dir} is in use by another process${ownerPid ? ` (pid ${ownerPid})` : ''}`);
    this.name = 'DataDirLockedError';
  }
}

/** A fresh data directory and neither `bootstrap` nor `join`: the node cannot know its cluster. */
export class NotInitializedError extends ClusterError {
  readonly code = 'RAFT_NOT_INITIALIZED';
  constructor(dir: string) {
    super(`${dir} holds no cluster state: start the first node with bootstrap, the others with join`);
    this.name = 'NotInitializedError';
  }
}

/** The node id was used by a member that has since been removed; ids are never reused. */
export class NodeIdRetiredError extends ClusterError {
  readonly code = 'RAFT_NODE_ID_RETIRED';
  constructor(readonly nodeId: NodeId) {
    super(`node id ${nodeId} belonged to a removed member; ids are never reused, pick a new one`);
    this.name = 'NodeIdRetiredError';
  }
}

/** A join names an id that is already a member at another address. */
export class MemberConflictError extends ClusterError {
  readonly code = 'RAFT_MEMBER_CONFLICT';
  constructor(detail: string) {
    super(detail);
    this.name = 'MemberConflictError';
  }
}

/** The id is not a member (remove, transfer). */
export class UnknownMemberError extends ClusterError {
  readonly code = 'RAFT_UNKNOWN_MEMBER';
  constructor(readonly nodeId: NodeId) {
    super(`node ${nodeId} is not a member of the cluster`);
    this.name = 'UnknownMemberError';
  }
}

/**
 * Removing the voter would leave fewer reachable voters than a quorum of the new configuration: the cluster
 * would stop committing. Nothing was changed. Bring the unreachable members back (or remove those first).
 */
export class QuorumLossError extends ClusterError {
  readonly code = 'RAFT_QUORUM_LOSS';
  constructor(
    readonly nodeId: NodeId,
    readonly reachable: readonly NodeId[],
    readonly voters: readonly NodeId[],
  ) {
    const quorum = Math.floor(voters.length / 2) + 1;
    super(
      `removing node ${nodeId} would leave voters ${voters.join(', ')}, of which only ` +
        `${reachable.length > 0 ? reachable.join(', ') : 'none'} answer; a quorum needs ${quorum}. ` +
        'Bring the unreachable voters back, or remove them first',
    );
    this.name = 'QuorumLossError';
  }
}

/** No leader is known right now (an election is under way or there is no quorum); retry later. */
export class NoLeaderError extends ClusterError {
  readonly code = 'RAFT_NO_LEADER';
  constructor() {
    super('no leader is known (election under way or no quorum)');
    this.name = 'NoLeaderError';
  }
}

/** A proposal larger than the node's `maxEntryBytes`; it was not appended. */
export class EntryTooLargeError extends ClusterError {
  readonly code = 'RAFT_ENTRY_TOO_LARGE';
  readonly definite = true;
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`an entry of ${bytes} bytes exceeds the limit of ${limit} bytes`);
    this.name = 'EntryTooLargeError';
  }
}

/** An operation did not finish in time. */
export class ClusterTimeoutError extends ClusterError {
  readonly code = 'RAFT_CLUSTER_TIMEOUT';
  constructor(what: string) {
    super(`${what} timed out`);
    this.name = 'ClusterTimeoutError';
  }
}

/** The node is closed, or stopped after a fatal storage error. */
export class NodeClosedError extends ClusterError {
  readonly code = 'RAFT_NODE_CLOSED';
  constructor(why: string) {
    super(`the node is closed: ${why}`);
    this.name = 'NodeClosedError';
  }
}

/** An admin call to a remote node failed with an error of the given code. */
export class RemoteClusterError extends ClusterError {
  override readonly name = 'RemoteClusterError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
