// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface AppendResponse {
  'index'?: (number | string | Long);
  'reject'?: (boolean);
  'hintIndex'?: (number | string | Long);
  'hintTerm'?: (number | string | Long);
}

export interface AppendResponse__Output {
  'index': (number);
  'reject': (boolean);
  'hintIndex': (number);
  'hintTerm': (number);
}
