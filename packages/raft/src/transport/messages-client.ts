import * as grpc from '@grpc/grpc-js';
import type { Message } from '../core/messages';
import type { RaftClient } from '../gen/walraft/raft/v1/Raft';
import { encodeMessageBatch } from './batch-encoder';
import { raftProto } from './proto';

/** The outgoing Raft message stream: each write is one MessageBatch, encoded straight from the core's messages. */
export type MessagesCall = grpc.ClientWritableStream<readonly Message[]>;

export type OpenMessagesCall = (md: grpc.Metadata, done: (err: grpc.ServiceError | null) => void) => MessagesCall;

let constructor: grpc.ServiceClientConstructor | undefined;

/**
 * Opens `Raft.Messages` calls on the channel of `client`. The method is the one proto-loader defines, but
 * with the direct batch encoder as its request serializer (the server decodes with protobufjs as usual).
 */
export function messagesCaller(client: RaftClient): OpenMessagesCall {
  constructor ??= grpc.makeGenericClientConstructor(
    { Messages: { ...raftProto().Raft.service.Messages, requestSerialize: encodeMessageBatch } },
    'Raft',
  );
  // channelOverride: the same connection as every other call to this peer
  const c = new constructor('unused', grpc.credentials.createInsecure(), { channelOverride: client.getChannel() });
  const open = c.Messages as (md: grpc.Metadata, done: (err: grpc.ServiceError | null) => void) => MessagesCall;
  return (md, done) => open.call(c, md, done);
}
