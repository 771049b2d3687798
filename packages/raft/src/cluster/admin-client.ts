import * as grpc from '@grpc/grpc-js';
import type { NodeId } from '../core/types';
import type { JoinResponse__Output } from '../gen/walraft/raft/v1/JoinResponse';
import type { MembershipResponse__Output } from '../gen/walraft/raft/v1/MembershipResponse';
import type { NodeStatus__Output } from '../gen/walraft/raft/v1/NodeStatus';
import type { RaftClient } from '../gen/walraft/raft/v1/Raft';
import type { TransferLeadershipResponse__Output } from '../gen/walraft/raft/v1/TransferLeadershipResponse';
import { ClusterMismatchError } from '../transport/errors';
import { callMetadata, checkServer } from '../transport/identity';
import { MetadataKey, MiB, peerChannelOptions, raftProto } from '../transport/proto';
import { RemoteClusterError } from './errors';

export interface AdminClientOptions {
  readonly clusterId: string;
  /** The calling node's id; 0 for a tool. */
  readonly from?: NodeId;
  /** Deadline of each call. Default 10 s. */
  readonly timeoutMs?: number;
}

/** Cluster administration calls to one node (which forwards them to the leader when needed). */
export class AdminClient {
  private readonly client: RaftClient;
  private readonly ownsClient: boolean;
  private readonly o: Required<AdminClientOptions>;

  /** `target`: an address to dial, or an existing client (then close() leaves it open). */
  constructor(target: string | RaftClient, opts: AdminClientOptions) {
    this.o = { from: 0, timeoutMs: 10_000, ...opts };
    this.ownsClient = typeof target === 'string';
    this.client =
      typeof target === 'string'
        ? new (raftProto().Raft)(target, grpc.credentials.createInsecure(), peerChannelOptions(16 * MiB))
        : target;
  }

  join(id: NodeId, address: string, timeoutMs?: number): Promise<JoinResponse__Output> {
    return this.call((md, o, cb) => this.client.Join({ id, address }, md, o, cb), timeoutMs);
  }

  removeNode(id: NodeId, timeoutMs?: number): Promise<MembershipResponse__Output> {
    return this.call((md, o, cb) => this.client.RemoveNode({ id }, md, o, cb), timeoutMs);
  }

  transferLeadership(to: NodeId = 0, timeoutMs?: number): Promise<TransferLeadershipResponse__Output> {
    return this.call((md, o, cb) => this.client.TransferLeadership({ to }, md, o, cb), timeoutMs);
  }

  status(timeoutMs?: number): Promise<NodeStatus__Output> {
    return this.call((md, o, cb) => this.client.Status({}, md, o, cb), timeoutMs);
  }

  close(): void {
    if (this.ownsClient) this.client.close();
  }

  private call<T>(
    start: (md: grpc.Metadata, o: grpc.CallOptions, cb: grpc.requestCallback<T>) => grpc.ClientUnaryCall,
    timeoutMs?: number,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let mismatch: Error | undefined;
      const call = start(
        callMetadata(this.o.clusterId, this.o.from, 0),
        { deadline: Date.now() + (timeoutMs ?? this.o.timeoutMs) },
        (err, res) => {
          if (mismatch) reject(mismatch);
          else if (err) reject(remoteError(err));
          else if (res === undefined) reject(new RemoteClusterError('RAFT_EMPTY_RESPONSE', 'empty response'));
          else resolve(res);
        },
      );
      call.on('metadata', (md: grpc.Metadata) => {
        try {
          checkServer(md, this.o.clusterId, 0);
        } catch (err) {
          mismatch = err as ClusterMismatchError;
          call.cancel();
        }
      });
    });
  }
}

/** Rebuilds a typed error from a failed admin call. */
export function remoteError(err: grpc.ServiceError): Error {
  const code = err.metadata.get(MetadataKey.errorCode)[0];
  if (err.code === grpc.status.FAILED_PRECONDITION && code === 'RAFT_CLUSTER_MISMATCH') {
    return new ClusterMismatchError(err.details);
  }
  if (typeof code === 'string') return new RemoteClusterError(code, err.details);
  return new RemoteClusterError(`GRPC_${grpc.status[err.code]}`, err.details || err.message);
}
