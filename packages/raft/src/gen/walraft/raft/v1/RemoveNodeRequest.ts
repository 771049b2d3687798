// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface RemoveNodeRequest {
  'id'?: (number | string | Long);
}

export interface RemoveNodeRequest__Output {
  'id': (number);
}
