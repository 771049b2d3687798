// Original file: proto/client.proto

import type { Row as _walraft_client_v1_Row, Row__Output as _walraft_client_v1_Row__Output } from '../../../walraft/client/v1/Row';
import type { Long } from '@grpc/proto-loader';

export interface StatementResult {
  'changes'?: (number);
  'lastInsertRowid'?: (number | string | Long);
  'columns'?: (string)[];
  'rows'?: (_walraft_client_v1_Row)[];
}

export interface StatementResult__Output {
  'changes': (number);
  'lastInsertRowid': (string);
  'columns': (string)[];
  'rows': (_walraft_client_v1_Row__Output)[];
}
