import * as grpc from '@grpc/grpc-js';
import type { NodeId } from '../core/types';
import { ClusterMismatchError } from './errors';
import { MetadataKey } from './proto';

// Every connection names the cluster and both ends, and both sides check: a node of another cluster (a
// stale data dir, a mistyped address) is refused with a clear error instead of being allowed to vote or
// append.

/** Metadata of an outgoing call from node `from` (0 for a tool) to node `to` (0 when unknown). */
export function callMetadata(clusterId: string, from: NodeId, to: NodeId): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(MetadataKey.cluster, clusterId);
  md.set(MetadataKey.from, String(from));
  md.set(MetadataKey.to, String(to));
  return md;
}

/** Response metadata a server sends first on every call. */
export function serverMetadata(clusterId: string, self: NodeId): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(MetadataKey.cluster, clusterId);
  md.set(MetadataKey.node, String(self));
  return md;
}

function text(md: grpc.Metadata, key: string): string | undefined {
  const v = md.get(key)[0];
  return typeof v === 'string' ? v : undefined;
}

function nodeId(md: grpc.Metadata, key: string): NodeId | undefined {
  const v = text(md, key);
  if (v === undefined || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

export interface CallerIdentity {
  readonly from: NodeId;
}

/** Checks an incoming call; throws ClusterMismatchError with the reason. */
export function checkIncoming(md: grpc.Metadata, clusterId: string, self: NodeId): CallerIdentity {
  const cluster = text(md, MetadataKey.cluster);
  const from = nodeId(md, MetadataKey.from);
  const to = nodeId(md, MetadataKey.to);
  if (cluster === undefined || from === undefined || to === undefined) {
    throw new ClusterMismatchError('refused: the call does not name its cluster and nodes (not a walraft node?)');
  }
  if (cluster !== clusterId) {
    throw new ClusterMismatchError(
      `refused: caller node ${from} belongs to cluster "${cluster}", this node ${self} to cluster "${clusterId}"`,
    );
  }
  if (to !== 0 && to !== self) {
    throw new ClusterMismatchError(`refused: the caller meant node ${to}, but this is node ${self}`);
  }
  return { from };
}

/** Checks the server's response metadata on an outgoing call; throws ClusterMismatchError. */
export function checkServer(md: grpc.Metadata, clusterId: string, expected: NodeId): NodeId {
  const cluster = text(md, MetadataKey.cluster);
  const node = nodeId(md, MetadataKey.node);
  if (cluster === undefined || node === undefined) {
    throw new ClusterMismatchError('the server did not name its cluster and node (not a walraft node?)');
  }
  if (cluster !== clusterId) {
    throw new ClusterMismatchError(
      `node ${node} belongs to cluster "${cluster}", not to this node's cluster "${clusterId}"`,
    );
  }
  if (expected !== 0 && node !== expected) {
    throw new ClusterMismatchError(`the address of node ${expected} is served by node ${node}`);
  }
  return node;
}
