// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface PeerStatus {
  'id'?: (number | string | Long);
  'address'?: (string);
  'voter'?: (boolean);
  'match'?: (number | string | Long);
  'next'?: (number | string | Long);
  'state'?: (string);
  'recentActive'?: (boolean);
  'lastContactMs'?: (number | string);
}

export interface PeerStatus__Output {
  'id': (number);
  'address': (string);
  'voter': (boolean);
  'match': (number);
  'next': (number);
  'state': (string);
  'recentActive': (boolean);
  'lastContactMs': (number);
}
