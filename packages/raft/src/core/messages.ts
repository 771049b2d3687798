import type { Entry, Index, NodeId, SnapshotMeta, Term } from './types';

/** Fields every Raft message carries. */
interface Header {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: Term;
}

/** AppendEntries: entries after (prevIndex, prevTerm) and the leader's commit index. */
export interface AppendMessage extends Header {
  readonly type: 'App';
  readonly prevIndex: Index;
  readonly prevTerm: Term;
  readonly entries: readonly Entry[];
  readonly commit: Index;
}

/**
 * Answer to App or Snap. On success `index` is the last index the follower holds durably in agreement
 * with the leader. On reject, `index` is the rejected prevIndex and (hintIndex, hintTerm) point at the
 * follower's last entry whose term is ≤ the rejected prevTerm (fast backtracking).
 */
export interface AppendResponseMessage extends Header {
  readonly type: 'AppResp';
  readonly index: Index;
  readonly reject: boolean;
  readonly hintIndex: Index;
  readonly hintTerm: Term;
}

export interface VoteMessage extends Header {
  readonly type: 'Vote' | 'PreVote';
  readonly lastIndex: Index;
  readonly lastTerm: Term;
  /** Set for elections started by a leadership transfer: bypasses the receivers' leader lease. */
  readonly transfer: boolean;
}

export interface VoteResponseMessage extends Header {
  readonly type: 'VoteResp' | 'PreVoteResp';
  readonly reject: boolean;
}

/** Heartbeat; `readSeq` (0 = none) is the leader's latest ReadIndex sequence number it wants confirmed. */
export interface HeartbeatMessage extends Header {
  readonly type: 'Heartbeat';
  readonly commit: Index;
  readonly readSeq: number;
}

export interface HeartbeatResponseMessage extends Header {
  readonly type: 'HeartbeatResp';
  readonly readSeq: number;
}

/** InstallSnapshot: the snapshot's bytes travel beside the message (the transport streams them). */
export interface SnapshotMessage extends Header {
  readonly type: 'Snap';
  readonly meta: SnapshotMeta;
}

/** Leadership transfer: the target starts an election at once (only if the term still matches). */
export interface TimeoutNowMessage extends Header {
  readonly type: 'TimeoutNow';
}

/** A follower asks the leader for a read index on behalf of a local reader. */
export interface ReadIndexMessage extends Header {
  readonly type: 'ReadIndex';
  readonly ctx: Uint8Array;
}

export interface ReadIndexResponseMessage extends Header {
  readonly type: 'ReadIndexResp';
  readonly index: Index;
  readonly ctx: Uint8Array;
  /** True when the leader could not serve the read (it is not, or not yet, able to). */
  readonly reject: boolean;
}

export type Message =
  | AppendMessage
  | AppendResponseMessage
  | VoteMessage
  | VoteResponseMessage
  | HeartbeatMessage
  | HeartbeatResponseMessage
  | SnapshotMessage
  | TimeoutNowMessage
  | ReadIndexMessage
  | ReadIndexResponseMessage;

export type MessageType = Message['type'];

/** Approximate size of a message's payload, for flow control and queue limits. */
export function messageBytes(m: Message): number {
  if (m.type !== 'App') return 64;
  let n = 64;
  for (const e of m.entries) n += e.data.length + 24;
  return n;
}
