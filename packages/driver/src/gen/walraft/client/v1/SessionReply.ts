// Original file: proto/client.proto

import type { OpenReply as _walraft_client_v1_OpenReply, OpenReply__Output as _walraft_client_v1_OpenReply__Output } from '../../../walraft/client/v1/OpenReply';
import type { WriteReply as _walraft_client_v1_WriteReply, WriteReply__Output as _walraft_client_v1_WriteReply__Output } from '../../../walraft/client/v1/WriteReply';
import type { QueryReply as _walraft_client_v1_QueryReply, QueryReply__Output as _walraft_client_v1_QueryReply__Output } from '../../../walraft/client/v1/QueryReply';
import type { RecoverReply as _walraft_client_v1_RecoverReply, RecoverReply__Output as _walraft_client_v1_RecoverReply__Output } from '../../../walraft/client/v1/RecoverReply';
import type { Long } from '@grpc/proto-loader';

export interface SessionReply {
  'id'?: (number | string | Long);
  'open'?: (_walraft_client_v1_OpenReply | null);
  'write'?: (_walraft_client_v1_WriteReply | null);
  'query'?: (_walraft_client_v1_QueryReply | null);
  'recover'?: (_walraft_client_v1_RecoverReply | null);
  'op'?: "open"|"write"|"query"|"recover";
}

export interface SessionReply__Output {
  'id': (string);
  'open'?: (_walraft_client_v1_OpenReply__Output | null);
  'write'?: (_walraft_client_v1_WriteReply__Output | null);
  'query'?: (_walraft_client_v1_QueryReply__Output | null);
  'recover'?: (_walraft_client_v1_RecoverReply__Output | null);
  'op'?: "open"|"write"|"query"|"recover";
}
