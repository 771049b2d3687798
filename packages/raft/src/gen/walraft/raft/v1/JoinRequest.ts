// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface JoinRequest {
  'id'?: (number | string | Long);
  'address'?: (string);
}

export interface JoinRequest__Output {
  'id': (number);
  'address': (string);
}
