// Original file: proto/raft.proto

import type { RaftMessage as _walraft_raft_v1_RaftMessage, RaftMessage__Output as _walraft_raft_v1_RaftMessage__Output } from '../../../walraft/raft/v1/RaftMessage';

export interface MessageBatch {
  'messages'?: (_walraft_raft_v1_RaftMessage)[];
}

export interface MessageBatch__Output {
  'messages': (_walraft_raft_v1_RaftMessage__Output)[];
}
