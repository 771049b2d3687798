import type { NodeId } from '../core/types';

/** Base of the errors a RaftNode reports to proposers. `definite` = the entry certainly did not commit. */
export abstract class RaftNodeError extends Error {
  abstract readonly code: string;
  abstract readonly definite: boolean;
}

export class NotLeaderError extends RaftNodeError {
  readonly code = 'RAFT_NOT_LEADER';
  readonly definite = true;
  constructor(readonly leader: NodeId) {
    super(leader ? `not the leader; the leader is node ${leader}` : 'not the leader; no leader is known');
    this.name = 'NotLeaderError';
  }
}

/** The proposal was refused before it was appended (leadership transfer, size limit, pending conf change). */
/**
 * The leader refused a proposal because too much proposed data is not yet committed (or committed and not
 * yet applied): followers are slow or unreachable. Nothing was appended (definite); retry with backoff.
 */
export class ProposalOverloadedError extends RaftNodeError {
  readonly code = 'RAFT_OVERLOADED';
  readonly definite = true;
  constructor() {
    super('proposal refused: the leader holds too much proposed data not yet committed and applied');
    this.name = 'ProposalOverloadedError';
  }
}

export class ProposalRejectedError extends RaftNodeError {
  readonly code = 'RAFT_PROPOSAL_REJECTED';
  readonly definite = true;
  constructor(readonly reason: string) {
    super(`proposal rejected: ${reason}`);
    this.name = 'ProposalRejectedError';
  }
}

/** Another entry committed at the proposal's index: it never will. */
export class ProposalDroppedError extends RaftNodeError {
  readonly code = 'RAFT_PROPOSAL_DROPPED';
  readonly definite = true;
  constructor(index: number) {
    super(`proposal at index ${index} was superseded by another leader's entry`);
    this.name = 'ProposalDroppedError';
  }
}

/** The outcome is not known (timeout, node stopped after proposing): the entry may still commit. */
export class ProposalOutcomeUnknownError extends RaftNodeError {
  readonly code = 'RAFT_OUTCOME_UNKNOWN';
  readonly definite = false;
  constructor(
    readonly index: number,
    why: string,
  ) {
    super(`outcome of proposal at index ${index} unknown: ${why}`);
    this.name = 'ProposalOutcomeUnknownError';
  }
}

export class ReadIndexTimeoutError extends RaftNodeError {
  readonly code = 'RAFT_READ_TIMEOUT';
  readonly definite = true;
  constructor() {
    super('read index not confirmed in time (no leader, or the leader could not reach a quorum)');
    this.name = 'ReadIndexTimeoutError';
  }
}

export class NodeStoppedError extends RaftNodeError {
  readonly code = 'RAFT_NODE_STOPPED';
  readonly definite = true;
  constructor(why: string) {
    super(`raft node stopped: ${why}`);
    this.name = 'NodeStoppedError';
  }
}
