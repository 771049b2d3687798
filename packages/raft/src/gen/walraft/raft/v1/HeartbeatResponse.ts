// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  'readSeq'?: (number | string | Long);
}

export interface HeartbeatResponse__Output {
  'readSeq': (number);
}
