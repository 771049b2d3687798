// Original file: proto/client.proto

import type { StatementResult as _walraft_client_v1_StatementResult, StatementResult__Output as _walraft_client_v1_StatementResult__Output } from '../../../walraft/client/v1/StatementResult';
import type { Failure as _walraft_client_v1_Failure, Failure__Output as _walraft_client_v1_Failure__Output } from '../../../walraft/client/v1/Failure';
import type { LeaderHint as _walraft_client_v1_LeaderHint, LeaderHint__Output as _walraft_client_v1_LeaderHint__Output } from '../../../walraft/client/v1/LeaderHint';

export interface WriteReply {
  'results'?: (_walraft_client_v1_StatementResult)[];
  'failure'?: (_walraft_client_v1_Failure | null);
  'hint'?: (_walraft_client_v1_LeaderHint | null);
}

export interface WriteReply__Output {
  'results': (_walraft_client_v1_StatementResult__Output)[];
  'failure': (_walraft_client_v1_Failure__Output | null);
  'hint': (_walraft_client_v1_LeaderHint__Output | null);
}
