// Original file: proto/raft.proto

import type { Member as _walraft_raft_v1_Member, Member__Output as _walraft_raft_v1_Member__Output } from '../../../walraft/raft/v1/Member';
import type { Long } from '@grpc/proto-loader';

export interface JoinResponse {
  'leader'?: (number | string | Long);
  'members'?: (_walraft_raft_v1_Member)[];
}

export interface JoinResponse__Output {
  'leader': (number);
  'members': (_walraft_raft_v1_Member__Output)[];
}
