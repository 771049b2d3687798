import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import * as grpc from '@grpc/grpc-js';
import type { Message, SnapshotMessage } from '../core/messages';
import type { NodeId } from '../core/types';
import type { JoinRequest__Output } from '../gen/walraft/raft/v1/JoinRequest';
import type { JoinResponse } from '../gen/walraft/raft/v1/JoinResponse';
import type { MembershipResponse } from '../gen/walraft/raft/v1/MembershipResponse';
import type { NodeStatus } from '../gen/walraft/raft/v1/NodeStatus';
import type { RaftClient, RaftHandlers } from '../gen/walraft/raft/v1/Raft';
import type { RemoveNodeRequest__Output } from '../gen/walraft/raft/v1/RemoveNodeRequest';
import type { SnapshotChunk, SnapshotChunk__Output } from '../gen/walraft/raft/v1/SnapshotChunk';
import type { TransferLeadershipRequest__Output } from '../gen/walraft/raft/v1/TransferLeadershipRequest';
import type { TransferLeadershipResponse } from '../gen/walraft/raft/v1/TransferLeadershipResponse';
import type { Logger } from '../node/logger';
import { silentLogger } from '../node/logger';
import type { ReceivedSnapshot, SnapshotPayload } from '../node/snapshot';
import { bytesSnapshot, fileSnapshot } from '../node/snapshot';
import type { Transport } from '../node/types';
import { decodeMessage, decodeSnapshotMeta, encodeSnapshotMeta } from './codec';
import { messagesCaller } from './messages-client';
import { raiseConnectionWindow, raiseStreamWindow } from './receive-window';
import { ClusterMismatchError, ListenError, MalformedMessageError, SnapshotTransferError } from './errors';
import { callMetadata, checkIncoming, checkServer, serverMetadata } from './identity';
import { MetadataKey, MiB, peerChannelOptions, raftProto } from './proto';
import { PeerStream } from './peer-stream';

/** Where the transport delivers what arrives (the RaftNode, through the cluster node). */
export interface TransportReceiver {
  receive(m: Message, snapshot?: ReceivedSnapshot): void;
  reportUnreachable(peer: NodeId): void;
  reportSnapshot(peer: NodeId, ok: boolean): void;
}

/** Cluster administration served on the same port (implemented by the cluster node). */
export interface AdminService {
  join(req: JoinRequest__Output): Promise<JoinResponse>;
  removeNode(req: RemoveNodeRequest__Output): Promise<MembershipResponse>;
  transferLeadership(req: TransferLeadershipRequest__Output): Promise<TransferLeadershipResponse>;
  status(): NodeStatus;
}

/** A further gRPC service served on the node's port. */
export interface GrpcService {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

export interface GrpcTransportOptions {
  readonly id: NodeId;
  readonly clusterId: string;
  /** Host and port to listen on; port 0 picks a free port (read it back from `port`). */
  readonly listenHost: string;
  readonly listenPort: number;
  /** Largest gRPC message in either direction; must exceed the largest entry plus framing. */
  readonly maxMessageBytes?: number;
  readonly maxBatchBytes?: number;
  readonly maxQueuedMessages?: number;
  readonly maxQueuedBytes?: number;
  readonly snapshotChunkBytes?: number;
  /** Received snapshots are spooled to files here (memory when unset). */
  readonly snapshotDir?: string;
  /** Largest snapshot accepted from a peer. Default 1 TiB with a snapshotDir, else 2 GiB. */
  readonly maxSnapshotBytes?: number;
  /** Maps a member's advertised address to the one this node dials (a fault proxy in tests). */
  readonly dialAddress?: (peer: NodeId, address: string) => string;
  readonly logger?: Logger;
  readonly services?: readonly GrpcService[];
}

interface Peer {
  address: string;
  client: RaftClient;
  stream: PeerStream;
  snapshotInFlight: boolean;
}

/**
 * The node-to-node transport on @grpc/grpc-js: one long-lived client stream per ordered pair carrying
 * batched Raft messages, snapshots on their own chunked stream, and the cluster administration calls.
 */
/** What a failed bind means, for the errors an operator is likely to meet. */
/** HTTP/2 receive window of the node's server, per stream and per connection: two of the largest batches. */
const receiveWindowBytes = 8 * MiB;

const listenFailures: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'not an address of this machine',
  EACCES: 'permission denied',
};

export class GrpcTransport implements Transport {
  readonly id: NodeId;
  private readonly o: Required<Omit<GrpcTransportOptions, 'dialAddress' | 'snapshotDir' | 'services'>> &
    Pick<GrpcTransportOptions, 'dialAddress' | 'snapshotDir'>;
  private readonly server: grpc.Server;
  private readonly peers = new Map<NodeId, Peer>();
  private readonly inbound = new Set<grpc.ServerReadableStream<unknown, unknown>>();
  private readonly lastContact = new Map<NodeId, number>();
  private receiver: TransportReceiver | undefined;
  private admin: AdminService | undefined;
  private boundPort = 0;
  private closed = false;

  constructor(opts: GrpcTransportOptions) {
    this.id = opts.id;
    this.o = {
      maxMessageBytes: 64 * MiB,
      maxBatchBytes: 4 * MiB,
      maxQueuedMessages: 4096,
      maxQueuedBytes: 64 * MiB,
      snapshotChunkBytes: MiB,
      maxSnapshotBytes: opts.snapshotDir ? 1024 * 1024 * MiB : 2048 * MiB,
      logger: silentLogger,
      ...opts,
    };
    this.server = new grpc.Server(peerChannelOptions(this.o.maxMessageBytes));
    if (!raiseStreamWindow(this.server, receiveWindowBytes)) {
      this.o.logger.warn(
        'cannot raise the HTTP/2 receive window of this grpc-js version: large batches will be slower',
      );
    }
    this.server.addService(raftProto().Raft.service, this.handlers());
    for (const s of opts.services ?? []) this.server.addService(s.definition, s.implementation);
  }

  /** Binds the server; resolves with the bound port. */
  async listen(): Promise<number> {
    const address = `${this.o.listenHost}:${this.o.listenPort}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (!err) {
          resolve(port);
          return;
        }
        // grpc-js wraps the socket's error: "No address added … errors: [listen EADDRINUSE: …]"
        const inner = /errors: \[(.*)\]/.exec(err.message)?.[1] ?? err.message;
        const code = /\b(E[A-Z]+)\b/.exec(inner)?.[1] ?? '';
        const said = listenFailures[code];
        reject(new ListenError(address, said ? `${said} (${code})` : inner));
      });
    });
    raiseConnectionWindow(this.server, receiveWindowBytes);
    return this.boundPort;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Where received messages go; until set, incoming calls are refused as UNAVAILABLE. */
  attach(receiver: TransportReceiver, admin: AdminService): void {
    this.receiver = receiver;
    this.admin = admin;
  }

  /** Sets (or changes) the address of a peer; removing a peer closes its connection. */
  setPeer(peer: NodeId, address: string | undefined): void {
    if (peer === this.id || this.closed) return;
    const existing = this.peers.get(peer);
    if (existing && existing.address === address) return;
    if (existing) {
      existing.stream.close();
      existing.client.close();
      this.peers.delete(peer);
    }
    if (address === undefined) return;
    const target = this.o.dialAddress ? this.o.dialAddress(peer, address) : address;
    const client = new (raftProto().Raft)(
      target,
      grpc.credentials.createInsecure(),
      peerChannelOptions(this.o.maxMessageBytes),
    );
    const stream = new PeerStream({
      self: this.id,
      peer,
      clusterId: this.o.clusterId,
      openCall: messagesCaller(client),
      maxQueuedMessages: this.o.maxQueuedMessages,
      maxQueuedBytes: this.o.maxQueuedBytes,
      maxBatchBytes: this.o.maxBatchBytes,
      onUnreachable: (p) => this.receiver?.reportUnreachable(p),
      onContact: () => undefined,
      logger: this.o.logger,
    });
    this.peers.set(peer, { address, client, stream, snapshotInFlight: false });
  }

  peerIds(): NodeId[] {
    return [...this.peers.keys()];
  }

  /** Milliseconds since the last message received from `peer`, or undefined if none yet. */
  sinceLastContact(peer: NodeId): number | undefined {
    const t = this.lastContact.get(peer);
    return t === undefined ? undefined : performance.now() - t;
  }

  send(messages: readonly Message[]): void {
    const byPeer = new Map<NodeId, Message[]>();
    for (const m of messages) {
      const list = byPeer.get(m.to);
      if (list) list.push(m);
      else byPeer.set(m.to, [m]);
    }
    for (const [to, list] of byPeer) {
      const peer = this.peers.get(to);
      if (peer) peer.stream.send(list);
      else this.receiver?.reportUnreachable(to);
    }
  }

  sendSnapshot(message: SnapshotMessage, payload: SnapshotPayload): void {
    const peer = this.peers.get(message.to);
    if (!peer || peer.snapshotInFlight) {
      payload.close();
      this.receiver?.reportSnapshot(message.to, false);
      return;
    }
    peer.snapshotInFlight = true;
    const started = performance.now();
    void this.streamSnapshot(peer, message, payload)
      .finally(() => {
        peer.snapshotInFlight = false;
        payload.close();
      })
      .then(
        () => {
          const ms = performance.now() - started;
          this.o.logger.info('snapshot sent', {
            peer: message.to,
            index: message.meta.index,
            bytes: payload.size,
            ms: Math.round(ms),
          });
          this.receiver?.reportSnapshot(message.to, true);
        },
        (err: unknown) => {
          this.o.logger.warn('snapshot send failed', { peer: message.to, error: (err as Error).message });
          this.receiver?.reportSnapshot(message.to, false);
        },
      );
  }

  /** A client for admin calls to a member (used to forward them to the leader). */
  clientFor(peer: NodeId): RaftClient | undefined {
    return this.peers.get(peer)?.client;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.peers.values()) {
      p.stream.close();
      p.client.close();
    }
    this.peers.clear();
    for (const call of this.inbound) call.destroy();
    this.inbound.clear();
    // tryShutdown waits for open calls; everything is cancelled above, so force after a short grace
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 200);
      this.server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  // ---------------------------------------------------------------- sending snapshots

  private async streamSnapshot(peer: Peer, m: SnapshotMessage, payload: SnapshotPayload): Promise<void> {
    let failed: Error | undefined;
    let done!: Promise<void>;
    const md = callMetadata(this.o.clusterId, this.id, m.to);
    const call = await new Promise<grpc.ClientWritableStream<SnapshotChunk>>((resolveCall) => {
      done = new Promise<void>((resolve, reject) => {
        const c = peer.client.InstallSnapshot(md, (err) => {
          if (err) reject(failed ?? new SnapshotTransferError(err.details));
          else resolve();
        });
        c.on('metadata', (res: grpc.Metadata) => {
          try {
            checkServer(res, this.o.clusterId, m.to);
          } catch (err) {
            failed = err instanceof Error ? err : new ClusterMismatchError(String(err));
            c.cancel();
          }
        });
        resolveCall(c);
      });
    });
    done.catch(() => undefined); // observed below
    const write = async (chunk: SnapshotChunk): Promise<void> => {
      if (!call.write(chunk)) await new Promise<void>((r) => call.once('drain', r));
    };
    const empty = Buffer.alloc(0);
    try {
      await write({
        header: {
          from: m.from,
          to: m.to,
          term: m.term,
          meta: encodeSnapshotMeta(m.meta),
          totalBytes: payload.size,
          context: payload.context,
        },
        data: empty,
        crc32c: crc32c(empty),
      });
      for await (const part of payload.chunks(this.o.snapshotChunkBytes)) {
        if (failed) break;
        await write({
          header: null,
          data: part,
          crc32c: crc32c(Buffer.from(part.buffer, part.byteOffset, part.length)),
        });
      }
      call.end();
    } catch (err) {
      call.cancel();
      throw err;
    }
    await done;
  }

  // ---------------------------------------------------------------- server side

  private handlers(): RaftHandlers {
    return {
      Messages: (call, callback) => {
        const from = this.acceptStream(call, callback);
        if (from === undefined) return;
        call.on('data', (batch: { messages: Parameters<typeof decodeMessage>[0][] }) => {
          const receiver = this.receiver;
          if (!receiver) return;
          this.lastContact.set(from, performance.now());
          try {
            for (const p of batch.messages) {
              const m = decodeMessage(p);
              if (m.from !== from || m.to !== this.id) {
                throw new MalformedMessageError(`message ${m.from}→${m.to} on the stream ${from}→${this.id}`);
              }
              receiver.receive(m);
            }
          } catch (err) {
            this.o.logger.warn('closing stream from peer: bad message', { peer: from, error: (err as Error).message });
            this.inbound.delete(call);
            callback(asStatus(err));
            call.destroy();
          }
        });
        call.on('end', () => {
          this.inbound.delete(call);
          callback(null, {});
        });
        call.on('error', () => this.inbound.delete(call));
        call.on('close', () => this.inbound.delete(call));
      },

      InstallSnapshot: (call, callback) => {
        const from = this.acceptStream(call, callback);
        if (from === undefined) return;
        const rx = new SnapshotReceiver(this.id, from, this.o.maxSnapshotBytes, this.o.snapshotDir);
        // async iteration pauses the stream while a chunk is written to disk
        void (async () => {
          try {
            for await (const chunk of call as AsyncIterable<SnapshotChunk__Output>) await rx.add(chunk);
            const { message, snapshot } = await rx.finish();
            this.lastContact.set(from, performance.now());
            if (this.receiver) this.receiver.receive(message, snapshot);
            else snapshot.close();
            callback(null, {});
          } catch (err) {
            rx.abort();
            this.o.logger.warn('refused snapshot', { peer: from, error: (err as Error).message });
            callback(asStatus(err));
            call.destroy();
          } finally {
            this.inbound.delete(call);
          }
        })();
      },

      Join: (call, callback) => {
        this.unary(call.metadata, callback, (admin) => admin.join(call.request), call);
      },
      RemoveNode: (call, callback) => {
        this.unary(call.metadata, callback, (admin) => admin.removeNode(call.request), call);
      },
      TransferLeadership: (call, callback) => {
        this.unary(call.metadata, callback, (admin) => admin.transferLeadership(call.request), call);
      },
      Status: (call, callback) => {
        this.unary(call.metadata, callback, (admin) => Promise.resolve(admin.status()), call);
      },
    };
  }

  /**
   * Admits an incoming stream from a node of this cluster: answers with this node's identity and tracks
   * the call so close() can end it. Refuses it (and returns undefined) otherwise.
   */
  private acceptStream(
    call: grpc.ServerReadableStream<unknown, unknown>,
    callback: (err: Partial<grpc.StatusObject>) => void,
  ): NodeId | undefined {
    let from: NodeId;
    try {
      from = this.admit(call.metadata).from;
    } catch (err) {
      callback(asStatus(err));
      return undefined;
    }
    call.sendMetadata(serverMetadata(this.o.clusterId, this.id));
    this.inbound.add(call);
    return from;
  }

  /** Checks an incoming call's identity (tools call with from = 0). */
  private admit(md: grpc.Metadata): { from: NodeId } {
    if (!this.receiver) throw new NodeStartingError();
    return checkIncoming(md, this.o.clusterId, this.id);
  }

  private unary<T>(
    md: grpc.Metadata,
    callback: grpc.sendUnaryData<T>,
    run: (admin: AdminService) => Promise<T>,
    call: grpc.ServerUnaryCall<unknown, unknown>,
  ): void {
    const admin = this.admin;
    try {
      this.admit(md);
      if (!admin) throw new NodeStartingError();
    } catch (err) {
      callback(asStatus(err));
      return;
    }
    call.sendMetadata(serverMetadata(this.o.clusterId, this.id));
    run(admin).then(
      (res) => {
        callback(null, res);
      },
      (err: unknown) => {
        callback(asStatus(err));
      },
    );
  }
}

/** The node is still starting (the transport listens before the Raft node is ready). */
class NodeStartingError extends Error {
  readonly code = 'RAFT_NODE_STARTING';
  constructor() {
    super('the node is starting');
    this.name = 'NodeStartingError';
  }
}

/**
 * Assembles one snapshot from its chunks, checking every CRC and the announced size; spools it to a file in
 * `dir` (or keeps it in memory when there is no dir).
 */
class SnapshotReceiver {
  private message: SnapshotMessage | undefined;
  private context: Uint8Array = new Uint8Array(0);
  private total = 0;
  private received = 0;
  private memory: Buffer | undefined;
  private file: { path: string; handle: fs.promises.FileHandle } | undefined;

  constructor(
    private readonly self: NodeId,
    private readonly from: NodeId,
    private readonly maxBytes: number,
    private readonly dir: string | undefined,
  ) {}

  async add(chunk: SnapshotChunk__Output): Promise<void> {
    if (chunk.header) {
      if (this.message) throw new SnapshotTransferError('a second header');
      const h = chunk.header;
      if (h.from !== this.from || h.to !== this.self) {
        throw new SnapshotTransferError(`snapshot ${h.from}→${h.to} on the stream ${this.from}→${this.self}`);
      }
      if (!Number.isSafeInteger(h.totalBytes) || h.totalBytes > this.maxBytes) {
        throw new SnapshotTransferError(`snapshot of ${h.totalBytes} bytes exceeds the limit of ${this.maxBytes}`);
      }
      this.message = { type: 'Snap', from: h.from, to: h.to, term: h.term, meta: decodeSnapshotMeta(h.meta) };
      this.context = h.context;
      this.total = h.totalBytes;
      if (this.dir) {
        const path = join(this.dir, `snapshot-${h.from}-${this.message.meta.index}-${randomUUID()}.part`);
        this.file = { path, handle: await fs.promises.open(path, 'w') };
      } else {
        this.memory = Buffer.allocUnsafe(h.totalBytes);
      }
    }
    if (!this.message) throw new SnapshotTransferError('data before the header');
    if (crc32c(chunk.data) !== chunk.crc32c) {
      throw new SnapshotTransferError(`checksum mismatch in the chunk at byte ${this.received}`);
    }
    if (this.received + chunk.data.length > this.total) throw new SnapshotTransferError('more data than announced');
    if (this.file) await this.file.handle.write(chunk.data, 0, chunk.data.length, this.received);
    else chunk.data.copy(this.memory ?? Buffer.alloc(0), this.received);
    this.received += chunk.data.length;
  }

  async finish(): Promise<{ message: SnapshotMessage; snapshot: ReceivedSnapshot }> {
    if (!this.message) throw new SnapshotTransferError('stream ended before the header');
    if (this.received !== this.total) {
      throw new SnapshotTransferError(`received ${this.received} of ${this.total} bytes`);
    }
    if (this.file) {
      const { path, handle } = this.file;
      this.file = undefined;
      await handle.close();
      return { message: this.message, snapshot: fileSnapshot(path, this.total, this.context) };
    }
    return { message: this.message, snapshot: bytesSnapshot(this.memory ?? Buffer.alloc(0), this.context) };
  }

  /** Drops a partial snapshot (its file, if any). */
  abort(): void {
    const f = this.file;
    this.file = undefined;
    if (f) void f.handle.close().finally(() => fs.promises.rm(f.path, { force: true }));
    this.memory = undefined;
  }
}

/** Maps an error to a gRPC status, keeping its `code` in the trailers for typed errors on the caller's side. */
export function asStatus(err: unknown): Partial<grpc.StatusObject> {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  const metadata = new grpc.Metadata();
  if (typeof code === 'string') metadata.set(MetadataKey.errorCode, code);
  let status = grpc.status.INTERNAL;
  if (e instanceof ClusterMismatchError) status = grpc.status.FAILED_PRECONDITION;
  else if (e instanceof MalformedMessageError) status = grpc.status.INVALID_ARGUMENT;
  else if (e instanceof SnapshotTransferError) status = grpc.status.DATA_LOSS;
  else if (e instanceof NodeStartingError) status = grpc.status.UNAVAILABLE;
  else if (typeof code === 'string') status = grpc.status.ABORTED;
  return { code: status, details: e.message, metadata };
}
