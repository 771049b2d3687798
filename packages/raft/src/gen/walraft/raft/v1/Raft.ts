// Original file: proto/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { JoinRequest as _walraft_raft_v1_JoinRequest, JoinRequest__Output as _walraft_raft_v1_JoinRequest__Output } from '../../../walraft/raft/v1/JoinRequest';
import type { JoinResponse as _walraft_raft_v1_JoinResponse, JoinResponse__Output as _walraft_raft_v1_JoinResponse__Output } from '../../../walraft/raft/v1/JoinResponse';
import type { MembershipResponse as _walraft_raft_v1_MembershipResponse, MembershipResponse__Output as _walraft_raft_v1_MembershipResponse__Output } from '../../../walraft/raft/v1/MembershipResponse';
import type { MessageBatch as _walraft_raft_v1_MessageBatch, MessageBatch__Output as _walraft_raft_v1_MessageBatch__Output } from '../../../walraft/raft/v1/MessageBatch';
import type { NodeStatus as _walraft_raft_v1_NodeStatus, NodeStatus__Output as _walraft_raft_v1_NodeStatus__Output } from '../../../walraft/raft/v1/NodeStatus';
import type { RemoveNodeRequest as _walraft_raft_v1_RemoveNodeRequest, RemoveNodeRequest__Output as _walraft_raft_v1_RemoveNodeRequest__Output } from '../../../walraft/raft/v1/RemoveNodeRequest';
import type { SnapshotChunk as _walraft_raft_v1_SnapshotChunk, SnapshotChunk__Output as _walraft_raft_v1_SnapshotChunk__Output } from '../../../walraft/raft/v1/SnapshotChunk';
import type { SnapshotReceived as _walraft_raft_v1_SnapshotReceived, SnapshotReceived__Output as _walraft_raft_v1_SnapshotReceived__Output } from '../../../walraft/raft/v1/SnapshotReceived';
import type { StatusRequest as _walraft_raft_v1_StatusRequest, StatusRequest__Output as _walraft_raft_v1_StatusRequest__Output } from '../../../walraft/raft/v1/StatusRequest';
import type { StreamClosed as _walraft_raft_v1_StreamClosed, StreamClosed__Output as _walraft_raft_v1_StreamClosed__Output } from '../../../walraft/raft/v1/StreamClosed';
import type { TransferLeadershipRequest as _walraft_raft_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _walraft_raft_v1_TransferLeadershipRequest__Output } from '../../../walraft/raft/v1/TransferLeadershipRequest';
import type { TransferLeadershipResponse as _walraft_raft_v1_TransferLeadershipResponse, TransferLeadershipResponse__Output as _walraft_raft_v1_TransferLeadershipResponse__Output } from '../../../walraft/raft/v1/TransferLeadershipResponse';

export interface RaftClient extends grpc.Client {
  InstallSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_SnapshotReceived__Output>): grpc.ClientWritableStream<_walraft_raft_v1_SnapshotChunk>;
  InstallSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_SnapshotReceived__Output>): grpc.ClientWritableStream<_walraft_raft_v1_SnapshotChunk>;
  InstallSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_SnapshotReceived__Output>): grpc.ClientWritableStream<_walraft_raft_v1_SnapshotChunk>;
  InstallSnapshot(callback: grpc.requestCallback<_walraft_raft_v1_SnapshotReceived__Output>): grpc.ClientWritableStream<_walraft_raft_v1_SnapshotChunk>;
  installSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_SnapshotReceived__Output>): grpc.ClientWritableStream<_walraft_raft_v1_SnapshotChunk>;
  installSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_SnapshotReceived__Output>): grpc.ClientWritableStream<_walraft_raft_v1_SnapshotChunk>;
  installSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_SnapshotReceived__Output>): grpc.ClientWritableStream<_walraft_raft_v1_SnapshotChunk>;
  installSnapshot(callback: grpc.requestCallback<_walraft_raft_v1_SnapshotReceived__Output>): grpc.ClientWritableStream<_walraft_raft_v1_SnapshotChunk>;
  
  Join(argument: _walraft_raft_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _walraft_raft_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _walraft_raft_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _walraft_raft_v1_JoinRequest, callback: grpc.requestCallback<_walraft_raft_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _walraft_raft_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _walraft_raft_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _walraft_raft_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _walraft_raft_v1_JoinRequest, callback: grpc.requestCallback<_walraft_raft_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  
  Messages(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_StreamClosed__Output>): grpc.ClientWritableStream<_walraft_raft_v1_MessageBatch>;
  Messages(metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_StreamClosed__Output>): grpc.ClientWritableStream<_walraft_raft_v1_MessageBatch>;
  Messages(options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_StreamClosed__Output>): grpc.ClientWritableStream<_walraft_raft_v1_MessageBatch>;
  Messages(callback: grpc.requestCallback<_walraft_raft_v1_StreamClosed__Output>): grpc.ClientWritableStream<_walraft_raft_v1_MessageBatch>;
  messages(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_StreamClosed__Output>): grpc.ClientWritableStream<_walraft_raft_v1_MessageBatch>;
  messages(metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_StreamClosed__Output>): grpc.ClientWritableStream<_walraft_raft_v1_MessageBatch>;
  messages(options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_StreamClosed__Output>): grpc.ClientWritableStream<_walraft_raft_v1_MessageBatch>;
  messages(callback: grpc.requestCallback<_walraft_raft_v1_StreamClosed__Output>): grpc.ClientWritableStream<_walraft_raft_v1_MessageBatch>;
  
  RemoveNode(argument: _walraft_raft_v1_RemoveNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _walraft_raft_v1_RemoveNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _walraft_raft_v1_RemoveNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _walraft_raft_v1_RemoveNodeRequest, callback: grpc.requestCallback<_walraft_raft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _walraft_raft_v1_RemoveNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _walraft_raft_v1_RemoveNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _walraft_raft_v1_RemoveNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _walraft_raft_v1_RemoveNodeRequest, callback: grpc.requestCallback<_walraft_raft_v1_MembershipResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _walraft_raft_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _walraft_raft_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _walraft_raft_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _walraft_raft_v1_StatusRequest, callback: grpc.requestCallback<_walraft_raft_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _walraft_raft_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _walraft_raft_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _walraft_raft_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _walraft_raft_v1_StatusRequest, callback: grpc.requestCallback<_walraft_raft_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  
  TransferLeadership(argument: _walraft_raft_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _walraft_raft_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _walraft_raft_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _walraft_raft_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_walraft_raft_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _walraft_raft_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _walraft_raft_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_walraft_raft_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _walraft_raft_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_walraft_raft_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _walraft_raft_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_walraft_raft_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface RaftHandlers extends grpc.UntypedServiceImplementation {
  InstallSnapshot: grpc.handleClientStreamingCall<_walraft_raft_v1_SnapshotChunk__Output, _walraft_raft_v1_SnapshotReceived>;
  
  Join: grpc.handleUnaryCall<_walraft_raft_v1_JoinRequest__Output, _walraft_raft_v1_JoinResponse>;
  
  Messages: grpc.handleClientStreamingCall<_walraft_raft_v1_MessageBatch__Output, _walraft_raft_v1_StreamClosed>;
  
  RemoveNode: grpc.handleUnaryCall<_walraft_raft_v1_RemoveNodeRequest__Output, _walraft_raft_v1_MembershipResponse>;
  
  Status: grpc.handleUnaryCall<_walraft_raft_v1_StatusRequest__Output, _walraft_raft_v1_NodeStatus>;
  
  TransferLeadership: grpc.handleUnaryCall<_walraft_raft_v1_TransferLeadershipRequest__Output, _walraft_raft_v1_TransferLeadershipResponse>;
  
}

export interface RaftDefinition extends grpc.ServiceDefinition {
  InstallSnapshot: MethodDefinition<_walraft_raft_v1_SnapshotChunk, _walraft_raft_v1_SnapshotReceived, _walraft_raft_v1_SnapshotChunk__Output, _walraft_raft_v1_SnapshotReceived__Output>
  Join: MethodDefinition<_walraft_raft_v1_JoinRequest, _walraft_raft_v1_JoinResponse, _walraft_raft_v1_JoinRequest__Output, _walraft_raft_v1_JoinResponse__Output>
  Messages: MethodDefinition<_walraft_raft_v1_MessageBatch, _walraft_raft_v1_StreamClosed, _walraft_raft_v1_MessageBatch__Output, _walraft_raft_v1_StreamClosed__Output>
  RemoveNode: MethodDefinition<_walraft_raft_v1_RemoveNodeRequest, _walraft_raft_v1_MembershipResponse, _walraft_raft_v1_RemoveNodeRequest__Output, _walraft_raft_v1_MembershipResponse__Output>
  Status: MethodDefinition<_walraft_raft_v1_StatusRequest, _walraft_raft_v1_NodeStatus, _walraft_raft_v1_StatusRequest__Output, _walraft_raft_v1_NodeStatus__Output>
  TransferLeadership: MethodDefinition<_walraft_raft_v1_TransferLeadershipRequest, _walraft_raft_v1_TransferLeadershipResponse, _walraft_raft_v1_TransferLeadershipRequest__Output, _walraft_raft_v1_TransferLeadershipResponse__Output>
}
