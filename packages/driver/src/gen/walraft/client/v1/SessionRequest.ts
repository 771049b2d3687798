// Original file: proto/client.proto

import type { OpenRequest as _walraft_client_v1_OpenRequest, OpenRequest__Output as _walraft_client_v1_OpenRequest__Output } from '../../../walraft/client/v1/OpenRequest';
import type { WriteRequest as _walraft_client_v1_WriteRequest, WriteRequest__Output as _walraft_client_v1_WriteRequest__Output } from '../../../walraft/client/v1/WriteRequest';
import type { QueryRequest as _walraft_client_v1_QueryRequest, QueryRequest__Output as _walraft_client_v1_QueryRequest__Output } from '../../../walraft/client/v1/QueryRequest';
import type { RecoverRequest as _walraft_client_v1_RecoverRequest, RecoverRequest__Output as _walraft_client_v1_RecoverRequest__Output } from '../../../walraft/client/v1/RecoverRequest';
import type { Long } from '@grpc/proto-loader';

export interface SessionRequest {
  'id'?: (number | string | Long);
  'open'?: (_walraft_client_v1_OpenRequest | null);
  'write'?: (_walraft_client_v1_WriteRequest | null);
  'query'?: (_walraft_client_v1_QueryRequest | null);
  'recover'?: (_walraft_client_v1_RecoverRequest | null);
  'op'?: "open"|"write"|"query"|"recover";
}

export interface SessionRequest__Output {
  'id': (string);
  'open'?: (_walraft_client_v1_OpenRequest__Output | null);
  'write'?: (_walraft_client_v1_WriteRequest__Output | null);
  'query'?: (_walraft_client_v1_QueryRequest__Output | null);
  'recover'?: (_walraft_client_v1_RecoverRequest__Output | null);
  'op'?: "open"|"write"|"query"|"recover";
}
