// Original file: proto/raft.proto

import type { Member as _walraft_raft_v1_Member, Member__Output as _walraft_raft_v1_Member__Output } from '../../../walraft/raft/v1/Member';

export interface MembershipResponse {
  'members'?: (_walraft_raft_v1_Member)[];
}

export interface MembershipResponse__Output {
  'members': (_walraft_raft_v1_Member__Output)[];
}
