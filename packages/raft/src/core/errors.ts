import type { NodeId } from './types';

/** Why the core refused a proposal. The caller knows the proposal was definitely not appended. */
export type ProposeRejection =
  | { readonly reason: 'NotLeader'; readonly leader: NodeId }
  | { readonly reason: 'Transferring'; readonly leader: NodeId }
  | { readonly reason: 'TooLarge' }
  | { readonly reason: 'ConfChangePending' }
  | { readonly reason: 'ConfChangeInvalid'; readonly detail: string };

/** Thrown by the core only on a broken invariant: a bug, never bad input. */
export class RaftInvariantError extends Error {
  readonly code = 'RAFT_INVARIANT';
  constructor(message: string) {
    super(message);
    this.name = 'RaftInvariantError';
  }
}
