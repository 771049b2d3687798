// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'commit'?: (number | string | Long);
  'readSeq'?: (number | string | Long);
}

export interface Heartbeat__Output {
  'commit': (number);
  'readSeq': (number);
}
