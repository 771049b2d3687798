// Original file: proto/raft.proto

import type { ConfState as _walraft_raft_v1_ConfState, ConfState__Output as _walraft_raft_v1_ConfState__Output } from '../../../walraft/raft/v1/ConfState';
import type { Long } from '@grpc/proto-loader';

export interface SnapshotMeta {
  'index'?: (number | string | Long);
  'term'?: (number | string | Long);
  'conf'?: (_walraft_raft_v1_ConfState | null);
}

export interface SnapshotMeta__Output {
  'index': (number);
  'term': (number);
  'conf': (_walraft_raft_v1_ConfState__Output | null);
}
