// Original file: proto/client.proto

import type { Begin as _walraft_client_v1_Begin, Begin__Output as _walraft_client_v1_Begin__Output } from '../../../walraft/client/v1/Begin';
import type { Statement as _walraft_client_v1_Statement, Statement__Output as _walraft_client_v1_Statement__Output } from '../../../walraft/client/v1/Statement';

export interface TransactionRequest {
  'begin'?: (_walraft_client_v1_Begin | null);
  'statement'?: (_walraft_client_v1_Statement | null);
  'commit'?: (boolean);
  'rollback'?: (boolean);
  'op'?: "begin"|"statement"|"commit"|"rollback";
}

export interface TransactionRequest__Output {
  'begin'?: (_walraft_client_v1_Begin__Output | null);
  'statement'?: (_walraft_client_v1_Statement__Output | null);
  'commit'?: (boolean);
  'rollback'?: (boolean);
  'op'?: "begin"|"statement"|"commit"|"rollback";
}
