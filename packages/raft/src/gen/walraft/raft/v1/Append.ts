// Original file: proto/raft.proto

import type { Entry as _walraft_raft_v1_Entry, Entry__Output as _walraft_raft_v1_Entry__Output } from '../../../walraft/raft/v1/Entry';
import type { Long } from '@grpc/proto-loader';

export interface Append {
  'prevIndex'?: (number | string | Long);
  'prevTerm'?: (number | string | Long);
  'entries'?: (_walraft_raft_v1_Entry)[];
  'commit'?: (number | string | Long);
}

export interface Append__Output {
  'prevIndex': (number);
  'prevTerm': (number);
  'entries': (_walraft_raft_v1_Entry__Output)[];
  'commit': (number);
}
