// Original file: proto/raft.proto

import type { Append as _walraft_raft_v1_Append, Append__Output as _walraft_raft_v1_Append__Output } from '../../../walraft/raft/v1/Append';
import type { AppendResponse as _walraft_raft_v1_AppendResponse, AppendResponse__Output as _walraft_raft_v1_AppendResponse__Output } from '../../../walraft/raft/v1/AppendResponse';
import type { Vote as _walraft_raft_v1_Vote, Vote__Output as _walraft_raft_v1_Vote__Output } from '../../../walraft/raft/v1/Vote';
import type { VoteResponse as _walraft_raft_v1_VoteResponse, VoteResponse__Output as _walraft_raft_v1_VoteResponse__Output } from '../../../walraft/raft/v1/VoteResponse';
import type { Heartbeat as _walraft_raft_v1_Heartbeat, Heartbeat__Output as _walraft_raft_v1_Heartbeat__Output } from '../../../walraft/raft/v1/Heartbeat';
import type { HeartbeatResponse as _walraft_raft_v1_HeartbeatResponse, HeartbeatResponse__Output as _walraft_raft_v1_HeartbeatResponse__Output } from '../../../walraft/raft/v1/HeartbeatResponse';
import type { TimeoutNow as _walraft_raft_v1_TimeoutNow, TimeoutNow__Output as _walraft_raft_v1_TimeoutNow__Output } from '../../../walraft/raft/v1/TimeoutNow';
import type { ReadIndex as _walraft_raft_v1_ReadIndex, ReadIndex__Output as _walraft_raft_v1_ReadIndex__Output } from '../../../walraft/raft/v1/ReadIndex';
import type { ReadIndexResponse as _walraft_raft_v1_ReadIndexResponse, ReadIndexResponse__Output as _walraft_raft_v1_ReadIndexResponse__Output } from '../../../walraft/raft/v1/ReadIndexResponse';
import type { Long } from '@grpc/proto-loader';

export interface RaftMessage {
  'from'?: (number | string | Long);
  'to'?: (number | string | Long);
  'term'?: (number | string | Long);
  'append'?: (_walraft_raft_v1_Append | null);
  'appendResponse'?: (_walraft_raft_v1_AppendResponse | null);
  'vote'?: (_walraft_raft_v1_Vote | null);
  'voteResponse'?: (_walraft_raft_v1_VoteResponse | null);
  'heartbeat'?: (_walraft_raft_v1_Heartbeat | null);
  'heartbeatResponse'?: (_walraft_raft_v1_HeartbeatResponse | null);
  'timeoutNow'?: (_walraft_raft_v1_TimeoutNow | null);
  'readIndex'?: (_walraft_raft_v1_ReadIndex | null);
  'readIndexResponse'?: (_walraft_raft_v1_ReadIndexResponse | null);
  'body'?: "append"|"appendResponse"|"vote"|"voteResponse"|"heartbeat"|"heartbeatResponse"|"timeoutNow"|"readIndex"|"readIndexResponse";
}

export interface RaftMessage__Output {
  'from': (number);
  'to': (number);
  'term': (number);
  'append'?: (_walraft_raft_v1_Append__Output | null);
  'appendResponse'?: (_walraft_raft_v1_AppendResponse__Output | null);
  'vote'?: (_walraft_raft_v1_Vote__Output | null);
  'voteResponse'?: (_walraft_raft_v1_VoteResponse__Output | null);
  'heartbeat'?: (_walraft_raft_v1_Heartbeat__Output | null);
  'heartbeatResponse'?: (_walraft_raft_v1_HeartbeatResponse__Output | null);
  'timeoutNow'?: (_walraft_raft_v1_TimeoutNow__Output | null);
  'readIndex'?: (_walraft_raft_v1_ReadIndex__Output | null);
  'readIndexResponse'?: (_walraft_raft_v1_ReadIndexResponse__Output | null);
  'body'?: "append"|"appendResponse"|"vote"|"voteResponse"|"heartbeat"|"heartbeatResponse"|"timeoutNow"|"readIndex"|"readIndexResponse";
}
