// Original file: proto/client.proto

import type { Row as _walraft_client_v1_Row, Row__Output as _walraft_client_v1_Row__Output } from '../../../walraft/client/v1/Row';
import type { Failure as _walraft_client_v1_Failure, Failure__Output as _walraft_client_v1_Failure__Output } from '../../../walraft/client/v1/Failure';
import type { LeaderHint as _walraft_client_v1_LeaderHint, LeaderHint__Output as _walraft_client_v1_LeaderHint__Output } from '../../../walraft/client/v1/LeaderHint';
import type { Long } from '@grpc/proto-loader';

export interface QueryReply {
  'readonly'?: (boolean);
  'wrote'?: (boolean);
  'columns'?: (string)[];
  'rows'?: (_walraft_client_v1_Row)[];
  'changes'?: (number);
  'lastInsertRowid'?: (number | string | Long);
  'done'?: (boolean);
  'failure'?: (_walraft_client_v1_Failure | null);
  'hint'?: (_walraft_client_v1_LeaderHint | null);
  'streamInstead'?: (boolean);
}

export interface QueryReply__Output {
  'readonly': (boolean);
  'wrote': (boolean);
  'columns': (string)[];
  'rows': (_walraft_client_v1_Row__Output)[];
  'changes': (number);
  'lastInsertRowid': (string);
  'done': (boolean);
  'failure': (_walraft_client_v1_Failure__Output | null);
  'hint': (_walraft_client_v1_LeaderHint__Output | null);
  'streamInstead': (boolean);
}
