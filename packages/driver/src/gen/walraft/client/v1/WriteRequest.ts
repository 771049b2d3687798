// Original file: proto/client.proto

import type { Statement as _walraft_client_v1_Statement, Statement__Output as _walraft_client_v1_Statement__Output } from '../../../walraft/client/v1/Statement';

export interface WriteRequest {
  'db'?: (string);
  'token'?: (Buffer | Uint8Array | string);
  'statements'?: (_walraft_client_v1_Statement)[];
}

export interface WriteRequest__Output {
  'db': (string);
  'token': (Buffer);
  'statements': (_walraft_client_v1_Statement__Output)[];
}
