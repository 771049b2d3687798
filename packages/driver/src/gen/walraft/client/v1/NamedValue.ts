// Original file: proto/client.proto

import type { Value as _walraft_client_v1_Value, Value__Output as _walraft_client_v1_Value__Output } from '../../../walraft/client/v1/Value';

export interface NamedValue {
  'name'?: (string);
  'value'?: (_walraft_client_v1_Value | null);
}

export interface NamedValue__Output {
  'name': (string);
  'value': (_walraft_client_v1_Value__Output | null);
}
