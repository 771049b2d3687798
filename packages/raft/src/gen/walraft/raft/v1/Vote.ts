// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface Vote {
  'preVote'?: (boolean);
  'lastIndex'?: (number | string | Long);
  'lastTerm'?: (number | string | Long);
  'transfer'?: (boolean);
}

export interface Vote__Output {
  'preVote': (boolean);
  'lastIndex': (number);
  'lastTerm': (number);
  'transfer': (boolean);
}
