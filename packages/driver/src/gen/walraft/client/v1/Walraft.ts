// Original file: proto/client.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BackupChunk as _walraft_client_v1_BackupChunk, BackupChunk__Output as _walraft_client_v1_BackupChunk__Output } from '../../../walraft/client/v1/BackupChunk';
import type { BackupRequest as _walraft_client_v1_BackupRequest, BackupRequest__Output as _walraft_client_v1_BackupRequest__Output } from '../../../walraft/client/v1/BackupRequest';
import type { HashReply as _walraft_client_v1_HashReply, HashReply__Output as _walraft_client_v1_HashReply__Output } from '../../../walraft/client/v1/HashReply';
import type { HashRequest as _walraft_client_v1_HashRequest, HashRequest__Output as _walraft_client_v1_HashRequest__Output } from '../../../walraft/client/v1/HashRequest';
import type { OpenReply as _walraft_client_v1_OpenReply, OpenReply__Output as _walraft_client_v1_OpenReply__Output } from '../../../walraft/client/v1/OpenReply';
import type { OpenRequest as _walraft_client_v1_OpenRequest, OpenRequest__Output as _walraft_client_v1_OpenRequest__Output } from '../../../walraft/client/v1/OpenRequest';
import type { QueryReply as _walraft_client_v1_QueryReply, QueryReply__Output as _walraft_client_v1_QueryReply__Output } from '../../../walraft/client/v1/QueryReply';
import type { QueryRequest as _walraft_client_v1_QueryRequest, QueryRequest__Output as _walraft_client_v1_QueryRequest__Output } from '../../../walraft/client/v1/QueryRequest';
import type { RecoverReply as _walraft_client_v1_RecoverReply, RecoverReply__Output as _walraft_client_v1_RecoverReply__Output } from '../../../walraft/client/v1/RecoverReply';
import type { RecoverRequest as _walraft_client_v1_RecoverRequest, RecoverRequest__Output as _walraft_client_v1_RecoverRequest__Output } from '../../../walraft/client/v1/RecoverRequest';
import type { SessionReply as _walraft_client_v1_SessionReply, SessionReply__Output as _walraft_client_v1_SessionReply__Output } from '../../../walraft/client/v1/SessionReply';
import type { SessionRequest as _walraft_client_v1_SessionRequest, SessionRequest__Output as _walraft_client_v1_SessionRequest__Output } from '../../../walraft/client/v1/SessionRequest';
import type { TransactionReply as _walraft_client_v1_TransactionReply, TransactionReply__Output as _walraft_client_v1_TransactionReply__Output } from '../../../walraft/client/v1/TransactionReply';
import type { TransactionRequest as _walraft_client_v1_TransactionRequest, TransactionRequest__Output as _walraft_client_v1_TransactionRequest__Output } from '../../../walraft/client/v1/TransactionRequest';
import type { WriteReply as _walraft_client_v1_WriteReply, WriteReply__Output as _walraft_client_v1_WriteReply__Output } from '../../../walraft/client/v1/WriteReply';
import type { WriteRequest as _walraft_client_v1_WriteRequest, WriteRequest__Output as _walraft_client_v1_WriteRequest__Output } from '../../../walraft/client/v1/WriteRequest';

export interface WalraftClient extends grpc.Client {
  Backup(argument: _walraft_client_v1_BackupRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_walraft_client_v1_BackupChunk__Output>;
  Backup(argument: _walraft_client_v1_BackupRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_walraft_client_v1_BackupChunk__Output>;
  backup(argument: _walraft_client_v1_BackupRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_walraft_client_v1_BackupChunk__Output>;
  backup(argument: _walraft_client_v1_BackupRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_walraft_client_v1_BackupChunk__Output>;
  
  Hash(argument: _walraft_client_v1_HashRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_HashReply__Output>): grpc.ClientUnaryCall;
  Hash(argument: _walraft_client_v1_HashRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_client_v1_HashReply__Output>): grpc.ClientUnaryCall;
  Hash(argument: _walraft_client_v1_HashRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_HashReply__Output>): grpc.ClientUnaryCall;
  Hash(argument: _walraft_client_v1_HashRequest, callback: grpc.requestCallback<_walraft_client_v1_HashReply__Output>): grpc.ClientUnaryCall;
  hash(argument: _walraft_client_v1_HashRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_HashReply__Output>): grpc.ClientUnaryCall;
  hash(argument: _walraft_client_v1_HashRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_client_v1_HashReply__Output>): grpc.ClientUnaryCall;
  hash(argument: _walraft_client_v1_HashRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_HashReply__Output>): grpc.ClientUnaryCall;
  hash(argument: _walraft_client_v1_HashRequest, callback: grpc.requestCallback<_walraft_client_v1_HashReply__Output>): grpc.ClientUnaryCall;
  
  Open(argument: _walraft_client_v1_OpenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_OpenReply__Output>): grpc.ClientUnaryCall;
  Open(argument: _walraft_client_v1_OpenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_client_v1_OpenReply__Output>): grpc.ClientUnaryCall;
  Open(argument: _walraft_client_v1_OpenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_OpenReply__Output>): grpc.ClientUnaryCall;
  Open(argument: _walraft_client_v1_OpenRequest, callback: grpc.requestCallback<_walraft_client_v1_OpenReply__Output>): grpc.ClientUnaryCall;
  open(argument: _walraft_client_v1_OpenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_OpenReply__Output>): grpc.ClientUnaryCall;
  open(argument: _walraft_client_v1_OpenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_client_v1_OpenReply__Output>): grpc.ClientUnaryCall;
  open(argument: _walraft_client_v1_OpenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_OpenReply__Output>): grpc.ClientUnaryCall;
  open(argument: _walraft_client_v1_OpenRequest, callback: grpc.requestCallback<_walraft_client_v1_OpenReply__Output>): grpc.ClientUnaryCall;
  
  Query(argument: _walraft_client_v1_QueryRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_walraft_client_v1_QueryReply__Output>;
  Query(argument: _walraft_client_v1_QueryRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_walraft_client_v1_QueryReply__Output>;
  query(argument: _walraft_client_v1_QueryRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_walraft_client_v1_QueryReply__Output>;
  query(argument: _walraft_client_v1_QueryRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_walraft_client_v1_QueryReply__Output>;
  
  Recover(argument: _walraft_client_v1_RecoverRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_RecoverReply__Output>): grpc.ClientUnaryCall;
  Recover(argument: _walraft_client_v1_RecoverRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_client_v1_RecoverReply__Output>): grpc.ClientUnaryCall;
  Recover(argument: _walraft_client_v1_RecoverRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_RecoverReply__Output>): grpc.ClientUnaryCall;
  Recover(argument: _walraft_client_v1_RecoverRequest, callback: grpc.requestCallback<_walraft_client_v1_RecoverReply__Output>): grpc.ClientUnaryCall;
  recover(argument: _walraft_client_v1_RecoverRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_RecoverReply__Output>): grpc.ClientUnaryCall;
  recover(argument: _walraft_client_v1_RecoverRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_client_v1_RecoverReply__Output>): grpc.ClientUnaryCall;
  recover(argument: _walraft_client_v1_RecoverRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_RecoverReply__Output>): grpc.ClientUnaryCall;
  recover(argument: _walraft_client_v1_RecoverRequest, callback: grpc.requestCallback<_walraft_client_v1_RecoverReply__Output>): grpc.ClientUnaryCall;
  
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_walraft_client_v1_SessionRequest, _walraft_client_v1_SessionReply__Output>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_walraft_client_v1_SessionRequest, _walraft_client_v1_SessionReply__Output>;
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_walraft_client_v1_SessionRequest, _walraft_client_v1_SessionReply__Output>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_walraft_client_v1_SessionRequest, _walraft_client_v1_SessionReply__Output>;
  
  Transaction(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_walraft_client_v1_TransactionRequest, _walraft_client_v1_TransactionReply__Output>;
  Transaction(options?: grpc.CallOptions): grpc.ClientDuplexStream<_walraft_client_v1_TransactionRequest, _walraft_client_v1_TransactionReply__Output>;
  transaction(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_walraft_client_v1_TransactionRequest, _walraft_client_v1_TransactionReply__Output>;
  transaction(options?: grpc.CallOptions): grpc.ClientDuplexStream<_walraft_client_v1_TransactionRequest, _walraft_client_v1_TransactionReply__Output>;
  
  Write(argument: _walraft_client_v1_WriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  Write(argument: _walraft_client_v1_WriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_client_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  Write(argument: _walraft_client_v1_WriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  Write(argument: _walraft_client_v1_WriteRequest, callback: grpc.requestCallback<_walraft_client_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  write(argument: _walraft_client_v1_WriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  write(argument: _walraft_client_v1_WriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_client_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  write(argument: _walraft_client_v1_WriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_client_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  write(argument: _walraft_client_v1_WriteRequest, callback: grpc.requestCallback<_walraft_client_v1_WriteReply__Output>): grpc.ClientUnaryCall;
  
}

export interface WalraftHandlers extends grpc.UntypedServiceImplementation {
  Backup: grpc.handleServerStreamingCall<_walraft_client_v1_BackupRequest__Output, _walraft_client_v1_BackupChunk>;
  
  Hash: grpc.handleUnaryCall<_walraft_client_v1_HashRequest__Output, _walraft_client_v1_HashReply>;
  
  Open: grpc.handleUnaryCall<_walraft_client_v1_OpenRequest__Output, _walraft_client_v1_OpenReply>;
  
  Query: grpc.handleServerStreamingCall<_walraft_client_v1_QueryRequest__Output, _walraft_client_v1_QueryReply>;
  
  Recover: grpc.handleUnaryCall<_walraft_client_v1_RecoverRequest__Output, _walraft_client_v1_RecoverReply>;
  
  Session: grpc.handleBidiStreamingCall<_walraft_client_v1_SessionRequest__Output, _walraft_client_v1_SessionReply>;
  
  Transaction: grpc.handleBidiStreamingCall<_walraft_client_v1_TransactionRequest__Output, _walraft_client_v1_TransactionReply>;
  
  Write: grpc.handleUnaryCall<_walraft_client_v1_WriteRequest__Output, _walraft_client_v1_WriteReply>;
  
}

export interface WalraftDefinition extends grpc.ServiceDefinition {
  Backup: MethodDefinition<_walraft_client_v1_BackupRequest, _walraft_client_v1_BackupChunk, _walraft_client_v1_BackupRequest__Output, _walraft_client_v1_BackupChunk__Output>
  Hash: MethodDefinition<_walraft_client_v1_HashRequest, _walraft_client_v1_HashReply, _walraft_client_v1_HashRequest__Output, _walraft_client_v1_HashReply__Output>
  Open: MethodDefinition<_walraft_client_v1_OpenRequest, _walraft_client_v1_OpenReply, _walraft_client_v1_OpenRequest__Output, _walraft_client_v1_OpenReply__Output>
  Query: MethodDefinition<_walraft_client_v1_QueryRequest, _walraft_client_v1_QueryReply, _walraft_client_v1_QueryRequest__Output, _walraft_client_v1_QueryReply__Output>
  Recover: MethodDefinition<_walraft_client_v1_RecoverRequest, _walraft_client_v1_RecoverReply, _walraft_client_v1_RecoverRequest__Output, _walraft_client_v1_RecoverReply__Output>
  Session: MethodDefinition<_walraft_client_v1_SessionRequest, _walraft_client_v1_SessionReply, _walraft_client_v1_SessionRequest__Output, _walraft_client_v1_SessionReply__Output>
  Transaction: MethodDefinition<_walraft_client_v1_TransactionRequest, _walraft_client_v1_TransactionReply, _walraft_client_v1_TransactionRequest__Output, _walraft_client_v1_TransactionReply__Output>
  Write: MethodDefinition<_walraft_client_v1_WriteRequest, _walraft_client_v1_WriteReply, _walraft_client_v1_WriteRequest__Output, _walraft_client_v1_WriteReply__Output>
}
