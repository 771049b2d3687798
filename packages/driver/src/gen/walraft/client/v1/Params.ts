// Original file: proto/client.proto

import type { Value as _walraft_client_v1_Value, Value__Output as _walraft_client_v1_Value__Output } from '../../../walraft/client/v1/Value';
import type { NamedValue as _walraft_client_v1_NamedValue, NamedValue__Output as _walraft_client_v1_NamedValue__Output } from '../../../walraft/client/v1/NamedValue';

export interface Params {
  'positional'?: (_walraft_client_v1_Value)[];
  'named'?: (_walraft_client_v1_NamedValue)[];
  'isNamed'?: (boolean);
}

export interface Params__Output {
  'positional': (_walraft_client_v1_Value__Output)[];
  'named': (_walraft_client_v1_NamedValue__Output)[];
  'isNamed': (boolean);
}
