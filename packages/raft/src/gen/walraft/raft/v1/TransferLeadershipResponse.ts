// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferLeadershipResponse {
  'leader'?: (number | string | Long);
  'term'?: (number | string | Long);
}

export interface TransferLeadershipResponse__Output {
  'leader': (number);
  'term': (number);
}
