// Original file: proto/client.proto

import type { Params as _walraft_client_v1_Params, Params__Output as _walraft_client_v1_Params__Output } from '../../../walraft/client/v1/Params';
import type { Consistency as _walraft_client_v1_Consistency, Consistency__Output as _walraft_client_v1_Consistency__Output } from '../../../walraft/client/v1/Consistency';
import type { Long } from '@grpc/proto-loader';

export interface QueryRequest {
  'db'?: (string);
  'sql'?: (string);
  'params'?: (_walraft_client_v1_Params | null);
  'hasParams'?: (boolean);
  'consistency'?: (_walraft_client_v1_Consistency);
  'maxLag'?: (number | string | Long);
  'token'?: (Buffer | Uint8Array | string);
}

export interface QueryRequest__Output {
  'db': (string);
  'sql': (string);
  'params': (_walraft_client_v1_Params__Output | null);
  'hasParams': (boolean);
  'consistency': (_walraft_client_v1_Consistency__Output);
  'maxLag': (string);
  'token': (Buffer);
}
