// Original file: proto/raft.proto

import type { PeerStatus as _walraft_raft_v1_PeerStatus, PeerStatus__Output as _walraft_raft_v1_PeerStatus__Output } from '../../../walraft/raft/v1/PeerStatus';
import type { Member as _walraft_raft_v1_Member, Member__Output as _walraft_raft_v1_Member__Output } from '../../../walraft/raft/v1/Member';
import type { Long } from '@grpc/proto-loader';

export interface NodeStatus {
  'id'?: (number | string | Long);
  'clusterId'?: (string);
  'address'?: (string);
  'role'?: (string);
  'term'?: (number | string | Long);
  'leader'?: (number | string | Long);
  'leaderAddress'?: (string);
  'commitIndex'?: (number | string | Long);
  'appliedIndex'?: (number | string | Long);
  'lastIndex'?: (number | string | Long);
  'snapshotIndex'?: (number | string | Long);
  'peers'?: (_walraft_raft_v1_PeerStatus)[];
  'members'?: (_walraft_raft_v1_Member)[];
  'removed'?: (boolean);
}

export interface NodeStatus__Output {
  'id': (number);
  'clusterId': (string);
  'address': (string);
  'role': (string);
  'term': (number);
  'leader': (number);
  'leaderAddress': (string);
  'commitIndex': (number);
  'appliedIndex': (number);
  'lastIndex': (number);
  'snapshotIndex': (number);
  'peers': (_walraft_raft_v1_PeerStatus__Output)[];
  'members': (_walraft_raft_v1_Member__Output)[];
  'removed': (boolean);
}
