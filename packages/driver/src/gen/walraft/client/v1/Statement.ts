// Original file: proto/client.proto

import type { Params as _walraft_client_v1_Params, Params__Output as _walraft_client_v1_Params__Output } from '../../../walraft/client/v1/Params';
import type { Mode as _walraft_client_v1_Mode, Mode__Output as _walraft_client_v1_Mode__Output } from '../../../walraft/client/v1/Mode';

export interface Statement {
  'sql'?: (string);
  'params'?: (_walraft_client_v1_Params | null);
  'hasParams'?: (boolean);
  'mode'?: (_walraft_client_v1_Mode);
}

export interface Statement__Output {
  'sql': (string);
  'params': (_walraft_client_v1_Params__Output | null);
  'hasParams': (boolean);
  'mode': (_walraft_client_v1_Mode__Output);
}
