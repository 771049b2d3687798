// Original file: proto/raft.proto

import type { SnapshotHeader as _walraft_raft_v1_SnapshotHeader, SnapshotHeader__Output as _walraft_raft_v1_SnapshotHeader__Output } from '../../../walraft/raft/v1/SnapshotHeader';

export interface SnapshotChunk {
  'header'?: (_walraft_raft_v1_SnapshotHeader | null);
  'data'?: (Buffer | Uint8Array | string);
  'crc32c'?: (number);
}

export interface SnapshotChunk__Output {
  'header': (_walraft_raft_v1_SnapshotHeader__Output | null);
  'data': (Buffer);
  'crc32c': (number);
}
