// Original file: proto/client.proto

import type { Failure as _walraft_client_v1_Failure, Failure__Output as _walraft_client_v1_Failure__Output } from '../../../walraft/client/v1/Failure';
import type { LeaderHint as _walraft_client_v1_LeaderHint, LeaderHint__Output as _walraft_client_v1_LeaderHint__Output } from '../../../walraft/client/v1/LeaderHint';
import type { Long } from '@grpc/proto-loader';

export interface HashReply {
  'appliedIndex'?: (number | string | Long);
  'hash'?: (string);
  'failure'?: (_walraft_client_v1_Failure | null);
  'hint'?: (_walraft_client_v1_LeaderHint | null);
}

export interface HashReply__Output {
  'appliedIndex': (string);
  'hash': (string);
  'failure': (_walraft_client_v1_Failure__Output | null);
  'hint': (_walraft_client_v1_LeaderHint__Output | null);
}
