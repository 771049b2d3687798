// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadIndexResponse {
  'index'?: (number | string | Long);
  'ctx'?: (Buffer | Uint8Array | string);
  'reject'?: (boolean);
}

export interface ReadIndexResponse__Output {
  'index': (number);
  'ctx': (Buffer);
  'reject': (boolean);
}
