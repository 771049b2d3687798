// Original file: proto/client.proto

import type { Failure as _walraft_client_v1_Failure, Failure__Output as _walraft_client_v1_Failure__Output } from '../../../walraft/client/v1/Failure';
import type { LeaderHint as _walraft_client_v1_LeaderHint, LeaderHint__Output as _walraft_client_v1_LeaderHint__Output } from '../../../walraft/client/v1/LeaderHint';

export interface OpenReply {
  'failure'?: (_walraft_client_v1_Failure | null);
  'hint'?: (_walraft_client_v1_LeaderHint | null);
}

export interface OpenReply__Output {
  'failure': (_walraft_client_v1_Failure__Output | null);
  'hint': (_walraft_client_v1_LeaderHint__Output | null);
}
