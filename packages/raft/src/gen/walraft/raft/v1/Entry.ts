// Original file: proto/raft.proto

import type { EntryType as _walraft_raft_v1_EntryType, EntryType__Output as _walraft_raft_v1_EntryType__Output } from '../../../walraft/raft/v1/EntryType';
import type { Long } from '@grpc/proto-loader';

export interface Entry {
  'index'?: (number | string | Long);
  'term'?: (number | string | Long);
  'type'?: (_walraft_raft_v1_EntryType);
  'data'?: (Buffer | Uint8Array | string);
}

export interface Entry__Output {
  'index': (number);
  'term': (number);
  'type': (_walraft_raft_v1_EntryType__Output);
  'data': (Buffer);
}
