import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from '../gen/raft';

/** Options shared by proto-loader here and by the generated types (`npm run gen:proto`). */
export const protoLoaderOptions: protoLoader.Options = {
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** proto/ at the repository root; the same depth from src/transport and dist/transport. */
export const protoDir = path.join(__dirname, '..', '..', '..', '..', 'proto');

let loaded: ProtoGrpcType | undefined;

/** The walraft.raft.v1 package (loaded once per process). */
export function raftProto(): ProtoGrpcType['walraft']['raft']['v1'] {
  loaded ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(path.join(protoDir, 'raft.proto'), protoLoaderOptions),
  ) as unknown as ProtoGrpcType;
  return loaded.walraft.raft.v1;
}

export const MiB = 1 << 20;

/** Channel and server options of the node-to-node connections. */
export function peerChannelOptions(maxMessageBytes: number): grpc.ChannelOptions {
  return {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    // detect half-open TCP (a peer that vanished without a FIN) on quiet links
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.keepalive_permit_without_calls': 1,
    // a restarted peer is dialed again within about a second, not after grpc's default 2 minutes
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1_000,
  };
}

/** Metadata keys every call carries (see proto/raft.proto). */
export const MetadataKey = {
  cluster: 'walraft-cluster',
  from: 'walraft-from',
  to: 'walraft-to',
  node: 'walraft-node',
  errorCode: 'walraft-error-code',
} as const;
