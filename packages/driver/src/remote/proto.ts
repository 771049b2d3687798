import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from '../gen/client';

/** As `npm run gen:proto` generates the types: 64-bit integers as decimal strings (exact BigInts). */
const loaderOptions: protoLoader.Options = { longs: String, enums: String, defaults: true, oneofs: true };

/** proto/ at the repository root; the same depth from src/remote and dist/remote. */
const protoDir = path.join(__dirname, '..', '..', '..', '..', 'proto');

let loaded: ProtoGrpcType | undefined;

/** The walraft.client.v1 package (loaded once per process). */
export function clientProto(): ProtoGrpcType['walraft']['client']['v1'] {
  loaded ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(path.join(protoDir, 'client.proto'), loaderOptions),
  ) as unknown as ProtoGrpcType;
  return loaded.walraft.client.v1;
}

/** Largest message either way: a transaction's statements or a batch of rows (entries are at most 16 MiB). */
export const maxClientMessageBytes = 64 << 20;

export function clientChannelOptions(): grpc.ChannelOptions {
  return {
    'grpc.max_receive_message_length': maxClientMessageBytes,
    'grpc.max_send_message_length': maxClientMessageBytes,
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1_000,
  };
}

export const ClientMetadata = {
  cluster: 'walraft-cluster',
  node: 'walraft-node',
  forwarded: 'walraft-forwarded',
  errorCode: 'walraft-error-code',
} as const;

export function requestMetadata(clusterId: string, forwarded: boolean): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(ClientMetadata.cluster, clusterId);
  if (forwarded) md.set(ClientMetadata.forwarded, '1');
  return md;
}
