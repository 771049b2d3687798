// Original file: proto/client.proto

import type { StatementResult as _walraft_client_v1_StatementResult, StatementResult__Output as _walraft_client_v1_StatementResult__Output } from '../../../walraft/client/v1/StatementResult';
import type { Failure as _walraft_client_v1_Failure, Failure__Output as _walraft_client_v1_Failure__Output } from '../../../walraft/client/v1/Failure';
import type { LeaderHint as _walraft_client_v1_LeaderHint, LeaderHint__Output as _walraft_client_v1_LeaderHint__Output } from '../../../walraft/client/v1/LeaderHint';

export interface TransactionReply {
  'begun'?: (boolean);
  'result'?: (_walraft_client_v1_StatementResult | null);
  'committed'?: (boolean);
  'rolledBack'?: (boolean);
  'failure'?: (_walraft_client_v1_Failure | null);
  'hint'?: (_walraft_client_v1_LeaderHint | null);
  'outcome'?: "begun"|"result"|"committed"|"rolledBack"|"failure";
}

export interface TransactionReply__Output {
  'begun'?: (boolean);
  'result'?: (_walraft_client_v1_StatementResult__Output | null);
  'committed'?: (boolean);
  'rolledBack'?: (boolean);
  'failure'?: (_walraft_client_v1_Failure__Output | null);
  'hint': (_walraft_client_v1_LeaderHint__Output | null);
  'outcome'?: "begun"|"result"|"committed"|"rolledBack"|"failure";
}
