import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Append as _walraft_raft_v1_Append, Append__Output as _walraft_raft_v1_Append__Output } from './walraft/raft/v1/Append';
import type { AppendResponse as _walraft_raft_v1_AppendResponse, AppendResponse__Output as _walraft_raft_v1_AppendResponse__Output } from './walraft/raft/v1/AppendResponse';
import type { ConfState as _walraft_raft_v1_ConfState, ConfState__Output as _walraft_raft_v1_ConfState__Output } from './walraft/raft/v1/ConfState';
import type { Entry as _walraft_raft_v1_Entry, Entry__Output as _walraft_raft_v1_Entry__Output } from './walraft/raft/v1/Entry';
import type { Heartbeat as _walraft_raft_v1_Heartbeat, Heartbeat__Output as _walraft_raft_v1_Heartbeat__Output } from './walraft/raft/v1/Heartbeat';
import type { HeartbeatResponse as _walraft_raft_v1_HeartbeatResponse, HeartbeatResponse__Output as _walraft_raft_v1_HeartbeatResponse__Output } from './walraft/raft/v1/HeartbeatResponse';
import type { JoinRequest as _walraft_raft_v1_JoinRequest, JoinRequest__Output as _walraft_raft_v1_JoinRequest__Output } from './walraft/raft/v1/JoinRequest';
import type { JoinResponse as _walraft_raft_v1_JoinResponse, JoinResponse__Output as _walraft_raft_v1_JoinResponse__Output } from './walraft/raft/v1/JoinResponse';
import type { Member as _walraft_raft_v1_Member, Member__Output as _walraft_raft_v1_Member__Output } from './walraft/raft/v1/Member';
import type { MembershipResponse as _walraft_raft_v1_MembershipResponse, MembershipResponse__Output as _walraft_raft_v1_MembershipResponse__Output } from './walraft/raft/v1/MembershipResponse';
import type { MessageBatch as _walraft_raft_v1_MessageBatch, MessageBatch__Output as _walraft_raft_v1_MessageBatch__Output } from './walraft/raft/v1/MessageBatch';
import type { NodeStatus as _walraft_raft_v1_NodeStatus, NodeStatus__Output as _walraft_raft_v1_NodeStatus__Output } from './walraft/raft/v1/NodeStatus';
import type { PeerStatus as _walraft_raft_v1_PeerStatus, PeerStatus__Output as _walraft_raft_v1_PeerStatus__Output } from './walraft/raft/v1/PeerStatus';
import type { RaftClient as _walraft_raft_v1_RaftClient, RaftDefinition as _walraft_raft_v1_RaftDefinition } from './walraft/raft/v1/Raft';
import type { RaftMessage as _walraft_raft_v1_RaftMessage, RaftMessage__Output as _walraft_raft_v1_RaftMessage__Output } from './walraft/raft/v1/RaftMessage';
import type { ReadIndex as _walraft_raft_v1_ReadIndex, ReadIndex__Output as _walraft_raft_v1_ReadIndex__Output } from './walraft/raft/v1/ReadIndex';
import type { ReadIndexResponse as _walraft_raft_v1_ReadIndexResponse, ReadIndexResponse__Output as _walraft_raft_v1_ReadIndexResponse__Output } from './walraft/raft/v1/ReadIndexResponse';
import type { RemoveNodeRequest as _walraft_raft_v1_RemoveNodeRequest, RemoveNodeRequest__Output as _walraft_raft_v1_RemoveNodeRequest__Output } from './walraft/raft/v1/RemoveNodeRequest';
import type { SnapshotChunk as _walraft_raft_v1_SnapshotChunk, SnapshotChunk__Output as _walraft_raft_v1_SnapshotChunk__Output } from './walraft/raft/v1/SnapshotChunk';
import type { SnapshotHeader as _walraft_raft_v1_SnapshotHeader, SnapshotHeader__Output as _walraft_raft_v1_SnapshotHeader__Output } from './walraft/raft/v1/SnapshotHeader';
import type { SnapshotMeta as _walraft_raft_v1_SnapshotMeta, SnapshotMeta__Output as _walraft_raft_v1_SnapshotMeta__Output } from './walraft/raft/v1/SnapshotMeta';
import type { SnapshotReceived as _walraft_raft_v1_SnapshotReceived, SnapshotReceived__Output as _walraft_raft_v1_SnapshotReceived__Output } from './walraft/raft/v1/SnapshotReceived';
import type { StatusRequest as _walraft_raft_v1_StatusRequest, StatusRequest__Output as _walraft_raft_v1_StatusRequest__Output } from './walraft/raft/v1/StatusRequest';
import type { StreamClosed as _walraft_raft_v1_StreamClosed, StreamClosed__Output as _walraft_raft_v1_StreamClosed__Output } from './walraft/raft/v1/StreamClosed';
import type { TimeoutNow as _walraft_raft_v1_TimeoutNow, TimeoutNow__Output as _walraft_raft_v1_TimeoutNow__Output } from './walraft/raft/v1/TimeoutNow';
import type { TransferLeadershipRequest as _walraft_raft_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _walraft_raft_v1_TransferLeadershipRequest__Output } from './walraft/raft/v1/TransferLeadershipRequest';
import type { TransferLeadershipResponse as _walraft_raft_v1_TransferLeadershipResponse, TransferLeadershipResponse__Output as _walraft_raft_v1_TransferLeadershipResponse__Output } from './walraft/raft/v1/TransferLeadershipResponse';
import type { Vote as _walraft_raft_v1_Vote, Vote__Output as _walraft_raft_v1_Vote__Output } from './walraft/raft/v1/Vote';
import type { VoteResponse as _walraft_raft_v1_VoteResponse, VoteResponse__Output as _walraft_raft_v1_VoteResponse__Output } from './walraft/raft/v1/VoteResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  walraft: {
    raft: {
      v1: {
        Append: MessageTypeDefinition<_walraft_raft_v1_Append, _walraft_raft_v1_Append__Output>
        AppendResponse: MessageTypeDefinition<_walraft_raft_v1_AppendResponse, _walraft_raft_v1_AppendResponse__Output>
        ConfState: MessageTypeDefinition<_walraft_raft_v1_ConfState, _walraft_raft_v1_ConfState__Output>
        Entry: MessageTypeDefinition<_walraft_raft_v1_Entry, _walraft_raft_v1_Entry__Output>
        EntryType: EnumTypeDefinition
        Heartbeat: MessageTypeDefinition<_walraft_raft_v1_Heartbeat, _walraft_raft_v1_Heartbeat__Output>
        HeartbeatResponse: MessageTypeDefinition<_walraft_raft_v1_HeartbeatResponse, _walraft_raft_v1_HeartbeatResponse__Output>
        JoinRequest: MessageTypeDefinition<_walraft_raft_v1_JoinRequest, _walraft_raft_v1_JoinRequest__Output>
        JoinResponse: MessageTypeDefinition<_walraft_raft_v1_JoinResponse, _walraft_raft_v1_JoinResponse__Output>
        Member: MessageTypeDefinition<_walraft_raft_v1_Member, _walraft_raft_v1_Member__Output>
        MembershipResponse: MessageTypeDefinition<_walraft_raft_v1_MembershipResponse, _walraft_raft_v1_MembershipResponse__Output>
        MessageBatch: MessageTypeDefinition<_walraft_raft_v1_MessageBatch, _walraft_raft_v1_MessageBatch__Output>
        NodeStatus: MessageTypeDefinition<_walraft_raft_v1_NodeStatus, _walraft_raft_v1_NodeStatus__Output>
        PeerStatus: MessageTypeDefinition<_walraft_raft_v1_PeerStatus, _walraft_raft_v1_PeerStatus__Output>
        Raft: SubtypeConstructor<typeof grpc.Client, _walraft_raft_v1_RaftClient> & { service: _walraft_raft_v1_RaftDefinition }
        RaftMessage: MessageTypeDefinition<_walraft_raft_v1_RaftMessage, _walraft_raft_v1_RaftMessage__Output>
        ReadIndex: MessageTypeDefinition<_walraft_raft_v1_ReadIndex, _walraft_raft_v1_ReadIndex__Output>
        ReadIndexResponse: MessageTypeDefinition<_walraft_raft_v1_ReadIndexResponse, _walraft_raft_v1_ReadIndexResponse__Output>
        RemoveNodeRequest: MessageTypeDefinition<_walraft_raft_v1_RemoveNodeRequest, _walraft_raft_v1_RemoveNodeRequest__Output>
        SnapshotChunk: MessageTypeDefinition<_walraft_raft_v1_SnapshotChunk, _walraft_raft_v1_SnapshotChunk__Output>
        SnapshotHeader: MessageTypeDefinition<_walraft_raft_v1_SnapshotHeader, _walraft_raft_v1_SnapshotHeader__Output>
        SnapshotMeta: MessageTypeDefinition<_walraft_raft_v1_SnapshotMeta, _walraft_raft_v1_SnapshotMeta__Output>
        SnapshotReceived: MessageTypeDefinition<_walraft_raft_v1_SnapshotReceived, _walraft_raft_v1_SnapshotReceived__Output>
        StatusRequest: MessageTypeDefinition<_walraft_raft_v1_StatusRequest, _walraft_raft_v1_StatusRequest__Output>
        StreamClosed: MessageTypeDefinition<_walraft_raft_v1_StreamClosed, _walraft_raft_v1_StreamClosed__Output>
        TimeoutNow: MessageTypeDefinition<_walraft_raft_v1_TimeoutNow, _walraft_raft_v1_TimeoutNow__Output>
        TransferLeadershipRequest: MessageTypeDefinition<_walraft_raft_v1_TransferLeadershipRequest, _walraft_raft_v1_TransferLeadershipRequest__Output>
        TransferLeadershipResponse: MessageTypeDefinition<_walraft_raft_v1_TransferLeadershipResponse, _walraft_raft_v1_TransferLeadershipResponse__Output>
        Vote: MessageTypeDefinition<_walraft_raft_v1_Vote, _walraft_raft_v1_Vote__Output>
        VoteResponse: MessageTypeDefinition<_walraft_raft_v1_VoteResponse, _walraft_raft_v1_VoteResponse__Output>
      }
    }
  }
}

