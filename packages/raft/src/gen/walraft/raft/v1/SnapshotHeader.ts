// Original file: proto/raft.proto

import type { SnapshotMeta as _walraft_raft_v1_SnapshotMeta, SnapshotMeta__Output as _walraft_raft_v1_SnapshotMeta__Output } from '../../../walraft/raft/v1/SnapshotMeta';
import type { Long } from '@grpc/proto-loader';

export interface SnapshotHeader {
  'from'?: (number | string | Long);
  'to'?: (number | string | Long);
  'term'?: (number | string | Long);
  'meta'?: (_walraft_raft_v1_SnapshotMeta | null);
  'totalBytes'?: (number | string | Long);
  'context'?: (Buffer | Uint8Array | string);
}

export interface SnapshotHeader__Output {
  'from': (number);
  'to': (number);
  'term': (number);
  'meta': (_walraft_raft_v1_SnapshotMeta__Output | null);
  'totalBytes': (number);
  'context': (Buffer);
}
