// Original file: proto/client.proto

import type { Failure as _walraft_client_v1_Failure, Failure__Output as _walraft_client_v1_Failure__Output } from '../../../walraft/client/v1/Failure';
import type { Long } from '@grpc/proto-loader';

export interface BackupChunk {
  'data'?: (Buffer | Uint8Array | string);
  'size'?: (number | string | Long);
  'appliedIndex'?: (number | string | Long);
  'done'?: (boolean);
  'failure'?: (_walraft_client_v1_Failure | null);
}

export interface BackupChunk__Output {
  'data': (Buffer);
  'size': (string);
  'appliedIndex': (string);
  'done': (boolean);
  'failure': (_walraft_client_v1_Failure__Output | null);
}
