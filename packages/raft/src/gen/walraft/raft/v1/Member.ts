// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface Member {
  'id'?: (number | string | Long);
  'address'?: (string);
  'voter'?: (boolean);
}

export interface Member__Output {
  'id': (number);
  'address': (string);
  'voter': (boolean);
}
