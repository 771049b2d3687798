// Original file: proto/client.proto

import type { Value as _walraft_client_v1_Value, Value__Output as _walraft_client_v1_Value__Output } from '../../../walraft/client/v1/Value';

export interface Row {
  'values'?: (_walraft_client_v1_Value)[];
}

export interface Row__Output {
  'values': (_walraft_client_v1_Value__Output)[];
}
