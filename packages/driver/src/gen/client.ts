import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BackupChunk as _walraft_client_v1_BackupChunk, BackupChunk__Output as _walraft_client_v1_BackupChunk__Output } from './walraft/client/v1/BackupChunk';
import type { BackupRequest as _walraft_client_v1_BackupRequest, BackupRequest__Output as _walraft_client_v1_BackupRequest__Output } from './walraft/client/v1/BackupRequest';
import type { Begin as _walraft_client_v1_Begin, Begin__Output as _walraft_client_v1_Begin__Output } from './walraft/client/v1/Begin';
import type { Failure as _walraft_client_v1_Failure, Failure__Output as _walraft_client_v1_Failure__Output } from './walraft/client/v1/Failure';
import type { HashReply as _walraft_client_v1_HashReply, HashReply__Output as _walraft_client_v1_HashReply__Output } from './walraft/client/v1/HashReply';
import type { HashRequest as _walraft_client_v1_HashRequest, HashRequest__Output as _walraft_client_v1_HashRequest__Output } from './walraft/client/v1/HashRequest';
import type { LeaderHint as _walraft_client_v1_LeaderHint, LeaderHint__Output as _walraft_client_v1_LeaderHint__Output } from './walraft/client/v1/LeaderHint';
import type { NamedValue as _walraft_client_v1_NamedValue, NamedValue__Output as _walraft_client_v1_NamedValue__Output } from './walraft/client/v1/NamedValue';
import type { OpenReply as _walraft_client_v1_OpenReply, OpenReply__Output as _walraft_client_v1_OpenReply__Output } from './walraft/client/v1/OpenReply';
import type { OpenRequest as _walraft_client_v1_OpenRequest, OpenRequest__Output as _walraft_client_v1_OpenRequest__Output } from './walraft/client/v1/OpenRequest';
import type { Params as _walraft_client_v1_Params, Params__Output as _walraft_client_v1_Params__Output } from './walraft/client/v1/Params';
import type { QueryReply as _walraft_client_v1_QueryReply, QueryReply__Output as _walraft_client_v1_QueryReply__Output } from './walraft/client/v1/QueryReply';
import type { QueryRequest as _walraft_client_v1_QueryRequest, QueryRequest__Output as _walraft_client_v1_QueryRequest__Output } from './walraft/client/v1/QueryRequest';
import type { RecoverReply as _walraft_client_v1_RecoverReply, RecoverReply__Output as _walraft_client_v1_RecoverReply__Output } from './walraft/client/v1/RecoverReply';
import type { RecoverRequest as _walraft_client_v1_RecoverRequest, RecoverRequest__Output as _walraft_client_v1_RecoverRequest__Output } from './walraft/client/v1/RecoverRequest';
import type { Row as _walraft_client_v1_Row, Row__Output as _walraft_client_v1_Row__Output } from './walraft/client/v1/Row';
import type { SessionReply as _walraft_client_v1_SessionReply, SessionReply__Output as _walraft_client_v1_SessionReply__Output } from './walraft/client/v1/SessionReply';
import type { SessionRequest as _walraft_client_v1_SessionRequest, SessionRequest__Output as _walraft_client_v1_SessionRequest__Output } from './walraft/client/v1/SessionRequest';
import type { Statement as _walraft_client_v1_Statement, Statement__Output as _walraft_client_v1_Statement__Output } from './walraft/client/v1/Statement';
import type { StatementResult as _walraft_client_v1_StatementResult, StatementResult__Output as _walraft_client_v1_StatementResult__Output } from './walraft/client/v1/StatementResult';
import type { TransactionReply as _walraft_client_v1_TransactionReply, TransactionReply__Output as _walraft_client_v1_TransactionReply__Output } from './walraft/client/v1/TransactionReply';
import type { TransactionRequest as _walraft_client_v1_TransactionRequest, TransactionRequest__Output as _walraft_client_v1_TransactionRequest__Output } from './walraft/client/v1/TransactionRequest';
import type { Value as _walraft_client_v1_Value, Value__Output as _walraft_client_v1_Value__Output } from './walraft/client/v1/Value';
import type { WalraftClient as _walraft_client_v1_WalraftClient, WalraftDefinition as _walraft_client_v1_WalraftDefinition } from './walraft/client/v1/Walraft';
import type { WriteReply as _walraft_client_v1_WriteReply, WriteReply__Output as _walraft_client_v1_WriteReply__Output } from './walraft/client/v1/WriteReply';
import type { WriteRequest as _walraft_client_v1_WriteRequest, WriteRequest__Output as _walraft_client_v1_WriteRequest__Output } from './walraft/client/v1/WriteRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  walraft: {
    client: {
      v1: {
        BackupChunk: MessageTypeDefinition<_walraft_client_v1_BackupChunk, _walraft_client_v1_BackupChunk__Output>
        BackupRequest: MessageTypeDefinition<_walraft_client_v1_BackupRequest, _walraft_client_v1_BackupRequest__Output>
        Begin: MessageTypeDefinition<_walraft_client_v1_Begin, _walraft_client_v1_Begin__Output>
        Consistency: EnumTypeDefinition
        Failure: MessageTypeDefinition<_walraft_client_v1_Failure, _walraft_client_v1_Failure__Output>
        HashReply: MessageTypeDefinition<_walraft_client_v1_HashReply, _walraft_client_v1_HashReply__Output>
        HashRequest: MessageTypeDefinition<_walraft_client_v1_HashRequest, _walraft_client_v1_HashRequest__Output>
        LeaderHint: MessageTypeDefinition<_walraft_client_v1_LeaderHint, _walraft_client_v1_LeaderHint__Output>
        Mode: EnumTypeDefinition
        NamedValue: MessageTypeDefinition<_walraft_client_v1_NamedValue, _walraft_client_v1_NamedValue__Output>
        OpenReply: MessageTypeDefinition<_walraft_client_v1_OpenReply, _walraft_client_v1_OpenReply__Output>
        OpenRequest: MessageTypeDefinition<_walraft_client_v1_OpenRequest, _walraft_client_v1_OpenRequest__Output>
        Params: MessageTypeDefinition<_walraft_client_v1_Params, _walraft_client_v1_Params__Output>
        QueryReply: MessageTypeDefinition<_walraft_client_v1_QueryReply, _walraft_client_v1_QueryReply__Output>
        QueryRequest: MessageTypeDefinition<_walraft_client_v1_QueryRequest, _walraft_client_v1_QueryRequest__Output>
        RecoverReply: MessageTypeDefinition<_walraft_client_v1_RecoverReply, _walraft_client_v1_RecoverReply__Output>
        RecoverRequest: MessageTypeDefinition<_walraft_client_v1_RecoverRequest, _walraft_client_v1_RecoverRequest__Output>
        Row: MessageTypeDefinition<_walraft_client_v1_Row, _walraft_client_v1_Row__Output>
        SessionReply: MessageTypeDefinition<_walraft_client_v1_SessionReply, _walraft_client_v1_SessionReply__Output>
        SessionRequest: MessageTypeDefinition<_walraft_client_v1_SessionRequest, _walraft_client_v1_SessionRequest__Output>
        Statement: MessageTypeDefinition<_walraft_client_v1_Statement, _walraft_client_v1_Statement__Output>
        StatementResult: MessageTypeDefinition<_walraft_client_v1_StatementResult, _walraft_client_v1_StatementResult__Output>
        TransactionReply: MessageTypeDefinition<_walraft_client_v1_TransactionReply, _walraft_client_v1_TransactionReply__Output>
        TransactionRequest: MessageTypeDefinition<_walraft_client_v1_TransactionRequest, _walraft_client_v1_TransactionRequest__Output>
        Value: MessageTypeDefinition<_walraft_client_v1_Value, _walraft_client_v1_Value__Output>
        Walraft: SubtypeConstructor<typeof grpc.Client, _walraft_client_v1_WalraftClient> & { service: _walraft_client_v1_WalraftDefinition }
        WriteReply: MessageTypeDefinition<_walraft_client_v1_WriteReply, _walraft_client_v1_WriteReply__Output>
        WriteRequest: MessageTypeDefinition<_walraft_client_v1_WriteRequest, _walraft_client_v1_WriteRequest__Output>
      }
    }
  }
}

