import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import { bootstrapLog } from '../core/bootstrap';
import type { RaftConfig, RaftStatus } from '../core/raft';
import { defaultRaftConfig } from '../core/raft';
import type { Index, NodeId } from '../core/types';
import { ConfChangeType } from '../core/types';
import type { Member } from '../gen/walraft/raft/v1/Member';
import type { NodeStatus } from '../gen/walraft/raft/v1/NodeStatus';
import type { Logger } from '../node/logger';
import { silentLogger } from '../node/logger';
import { NotLeaderError } from '../node/errors';
import { RaftNode } from '../node/raft-node';
import type { StateMachine } from '../node/types';
import { nodeStorageFs } from '../storage/fs';
import { LogStore } from '../storage/log-store';
import type { AdminService, GrpcService } from '../transport/grpc-transport';
import { GrpcTransport } from '../transport/grpc-transport';
import { AdminClient } from './admin-client';
import { writeFileAtomicSync } from './atomic-file';
import { DataDirLock } from './data-dir-lock';
import {
  ClusterTimeoutError,
  DataDirMismatchError,
  EntryTooLargeError,
  MemberConflictError,
  NodeClosedError,
  NodeIdRetiredError,
  NoLeaderError,
  NotInitializedError,
  QuorumLossError,
  UnknownMemberError,
} from './errors';
import { MemberBook, MembershipStateMachine } from './membership';
import type { MemberAddress } from './membership';
import { systemRandom, systemRuntime } from './system-runtime';

const enc = new TextEncoder();
const loopDelayResolutionMs = 10;

export interface ClusterNodeOptions {
  /** This node's id: a positive integer below 2^32, never reused within the cluster. */
  readonly id: NodeId;
  /** Names the cluster; every connection carries it and nodes of another cluster are refused. */
  readonly clusterId: string;
  readonly dataDir: string;
  /** `host:port` to listen on; port 0 picks a free port on first start (kept across restarts). */
  readonly listen: string;
  /** The address other members dial; default: the listen host with the bound port. */
  readonly advertise?: string;
  /** Start a new cluster with this node as its only voter (ignored when the data dir holds a cluster). */
  readonly bootstrap?: boolean;
  /** Addresses of running members to join through (as a learner, promoted once caught up). */
  readonly join?: readonly string[];
  readonly stateMachine: StateMachine;
  /** Milliseconds per Raft tick. Default 50. */
  readonly tickMs?: number;
  /** Election timeout in ticks (randomized in [n, 2n)). Default 10. */
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  /** Checkpoint the state machine and compact the log every this many entries. Default 10,000. */
  readonly checkpointEvery?: number;
  /** Proposals not applied within this many ms fail with an unknown outcome. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Entries applied per event-loop turn before yielding. Default 256. */
  readonly applyBatch?: number;
  /** Largest entry, in bytes (proposals above it are refused). Default 16 MiB. */
  readonly maxEntryBytes?: number;
  readonly raft?: Partial<Omit<RaftConfig, 'id' | 'random'>>;
  /** Promote learners to voters once caught up. Default true. */
  readonly autoPromote?: boolean;
  /** How long to keep trying to join. Default 30 s. */
  readonly joinTimeoutMs?: number;
  /** Maps a member's advertised address to the one this node dials (a fault proxy in tests). */
  readonly dialAddress?: (peer: NodeId, address: string) => string;
  readonly logger?: Logger;
  /** Called once if the node stops on a fatal storage error (it no longer serves anything). */
  readonly onFatal?: (err: Error) => void;
  /** Called when this node's role, term or known leader changes. */
  readonly onRoleChange?: (status: RaftStatus) => void;
  /** Told how long each fdatasync of the Raft log took (for metrics). */
  readonly onFsync?: (ms: number) => void;
  /** More gRPC services served on the node's port (the client protocol). */
  readonly services?: readonly GrpcService[];
}

/** The status of this node, with per-peer replication detail on the leader. */
export interface ClusterNodeStatus extends RaftStatus {
  readonly clusterId: string;
  readonly address: string;
  readonly leaderAddress: string | undefined;
  readonly appliedIndex: Index;
  readonly snapshotIndex: Index;
  readonly members: readonly (MemberAddress & { readonly voter: boolean })[];
  /** Milliseconds since a message last arrived from each peer (undefined: never). */
  readonly lastContactMs: ReadonlyMap<NodeId, number | undefined>;
  /** This node has been removed from the cluster. */
  readonly removed: boolean;
}

interface NodeIdentity {
  readonly clusterId: string;
  readonly id: NodeId;
  readonly address: string;
}

/**
 * A cluster member in production: the RaftNode driver over durable storage (segmented log, hard state),
 * the gRPC transport, the replicated member book, and the cluster operations (bootstrap, join as a learner
 * with automatic promotion, remove, leadership transfer, status).
 */
export class ClusterNode {
  readonly id: NodeId;
  readonly clusterId: string;
  private readonly o: ClusterNodeOptions;
  private readonly log: Logger;
  private readonly storage: LogStore;
  private readonly transport: GrpcTransport;
  private readonly book: MemberBook;
  private readonly raft: RaftNode;
  private readonly address: string;
  private readonly electionTimeoutMs: number;
  private readonly loopDelay: IntervalHistogram;
  private promoteTimer: NodeJS.Timeout | undefined;
  private closedWith: Error | undefined;
  private readonly leaderWaiters = new Set<() => void>();

  private constructor(
    o: ClusterNodeOptions,
    storage: LogStore,
    transport: GrpcTransport,
    book: MemberBook,
    address: string,
    private readonly lock: DataDirLock,
  ) {
    this.o = o;
    this.id = o.id;
    this.clusterId = o.clusterId;
    this.log = o.logger ?? silentLogger;
    this.storage = storage;
    this.transport = transport;
    this.book = book;
    this.address = address;
    const tickMs = o.tickMs ?? 50;
    this.electionTimeoutMs = tickMs * (o.raft?.electionTicks ?? o.electionTicks ?? defaultRaftConfig.electionTicks);
    const sm = new MembershipStateMachine(o.stateMachine, book, () => {
      this.syncPeers();
    });
    this.raft = new RaftNode({
      config: {
        ...defaultRaftConfig,
        electionTicks: o.electionTicks ?? defaultRaftConfig.electionTicks,
        heartbeatTicks: o.heartbeatTicks ?? defaultRaftConfig.heartbeatTicks,
        maxUncommittedBytes: Math.max(defaultRaftConfig.maxUncommittedBytes, 4 * (o.maxEntryBytes ?? 16 << 20)),
        ...o.raft,
        id: o.id,
        random: systemRandom(),
      },
      storage,
      stateMachine: sm,
      transport,
      runtime: systemRuntime,
      tickMs,
      checkpointEvery: o.checkpointEvery ?? 10_000,
      requestTimeoutMs: o.requestTimeoutMs ?? 10_000,
      applyBatch: o.applyBatch ?? 256,
      onFatal: (err) => {
        this.log.error('fatal storage error: the node stops serving', { error: err.message });
        this.closedWith = err;
        void this.shutdown();
        o.onFatal?.(err);
      },
      onRoleChange: (s) => {
        this.log.info('role change', { role: s.role, term: s.term, leader: s.lead });
        for (const w of this.leaderWaiters) w();
        o.onRoleChange?.(s);
      },
    });
    this.loopDelay = monitorEventLoopDelay({ resolution: loopDelayResolutionMs });
  }

  /** Opens (or creates) the node's data, binds its port, and starts it; joins the cluster if asked. */
  static async start(o: ClusterNodeOptions): Promise<ClusterNode> {
    if (!Number.isInteger(o.id) || o.id <= 0 || o.id > 0xffffffff) throw new RangeError(`invalid node id ${o.id}`);
    fs.mkdirSync(o.dataDir, { recursive: true });
    const lock = DataDirLock.acquire(o.dataDir);
    try {
      return await ClusterNode.open(o, lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  private static async open(o: ClusterNodeOptions, lock: DataDirLock): Promise<ClusterNode> {
    const identityFile = path.join(o.dataDir, 'node.json');
    const known = readIdentity(identityFile);
    if (known && (known.clusterId !== o.clusterId || known.id !== o.id)) {
      throw new DataDirMismatchError(
        `${o.dataDir} belongs to node ${known.id} of cluster "${known.clusterId}", not node ${o.id} of "${o.clusterId}"`,
      );
    }
    const logDir = path.join(o.dataDir, 'raft');
    const onFsync = o.onFsync;
    const storageOptions = {
      ...(onFsync
        ? {
            fs: {
              ...nodeStorageFs,
              fdatasync: async (fd: number) => {
                const t0 = performance.now();
                await nodeStorageFs.fdatasync(fd);
                onFsync(performance.now() - t0);
              },
            },
          }
        : {}),
      logger: {
        warn: (msg: string) => {
          (o.logger ?? silentLogger).warn(msg);
        },
      },
    };
    let storage = await LogStore.open(logDir, storageOptions);
    const fresh = storage.lastIndex() === 0 && storage.initialHardState().term === 0;
    if (fresh && !o.bootstrap && (o.join ?? []).length === 0) {
      await storage.close();
      throw new NotInitializedError(o.dataDir);
    }

    const [host, portText] = splitHostPort(o.listen);
    let port = Number(portText);
    // a restarted node must come back where the others dial it
    if (port === 0 && known) port = Number(splitHostPort(known.address)[1]);
    // partial or unclaimed snapshots from a previous run
    const incoming = path.join(o.dataDir, 'incoming');
    fs.rmSync(incoming, { recursive: true, force: true });
    fs.mkdirSync(incoming);
    const transport = new GrpcTransport({
      snapshotDir: incoming,
      id: o.id,
      clusterId: o.clusterId,
      listenHost: host,
      listenPort: port,
      maxMessageBytes: (o.maxEntryBytes ?? 16 << 20) + (8 << 20),
      ...(o.dialAddress ? { dialAddress: o.dialAddress } : {}),
      logger: o.logger ?? silentLogger,
      services: o.services ?? [],
    });
    let bound: number;
    try {
      bound = await transport.listen();
    } catch (err) {
      await transport.close();
      await storage.close();
      throw err;
    }
    const address = o.advertise ?? known?.address ?? `${host}:${bound}`;

    let book: MemberBook;
    try {
      if (fresh && o.bootstrap) {
        const { entries, hardState } = bootstrapLog([o.id], new Map([[o.id, enc.encode(address)]]));
        storage.append(entries);
        storage.setHardState(hardState);
        await storage.sync();
        // reopen so the bootstrap state is what the node starts from, like any later restart
        await storage.close();
        storage = await LogStore.open(logDir, storageOptions);
      }
      if (!known) writeFileAtomicSync(identityFile, JSON.stringify({ clusterId: o.clusterId, id: o.id, address }));
      book = MemberBook.load(o.dataDir);
    } catch (err) {
      await transport.close();
      await storage.close().catch(() => undefined);
      throw err;
    }
    const node = new ClusterNode(o, storage, transport, book, address, lock);
    transport.attach(node.raft, node.adminService());
    node.syncPeers();
    node.loopDelay.enable();
    node.raft.start();
    node.startPromoter();
    if (fresh && !o.bootstrap) {
      try {
        await node.joinCluster(o.join ?? []);
      } catch (err) {
        await node.close();
        throw err;
      }
    }
    return node;
  }

  // ---------------------------------------------------------------- data path

  /** Proposes data; resolves with the state machine's result once applied on this node (the leader). */
  propose(data: Uint8Array): Promise<unknown> {
    const limit = this.o.maxEntryBytes ?? 16 << 20;
    if (data.length > limit) return Promise.reject(new EntryTooLargeError(data.length, limit));
    return this.raft.propose(data);
  }

  /** Resolves once this node has applied everything committed before the call (linearizable reads). */
  readIndex(): Promise<Index> {
    return this.raft.readIndex();
  }

  /** The address of the leader this node knows of (undefined: none known, or it is this node's own). */
  leaderAddress(): string | undefined {
    const lead = this.raft.status().lead;
    return lead ? this.book.address(lead) : undefined;
  }

  get raftNode(): RaftNode {
    return this.raft;
  }

  get port(): number {
    return this.transport.port;
  }

  get advertisedAddress(): string {
    return this.address;
  }

  // ---------------------------------------------------------------- cluster operations

  /** Resolves with the leader's id once one is known (or rejects after timeoutMs). */
  async waitForLeader(timeoutMs = 10_000): Promise<NodeId> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      this.assertOpen();
      const lead = this.raft.status().lead;
      if (lead !== 0) return lead;
      if (performance.now() >= deadline) throw new ClusterTimeoutError('waiting for a leader');
      await this.roleChangeOrDelay(deadline - performance.now());
    }
  }

  /** Adds a node as a learner (promoted automatically once caught up); on a follower, forwarded. */
  async addNode(id: NodeId, address: string): Promise<MemberAddress[]> {
    const res = await this.adminService().join({ id, address });
    return res.members?.map((m) => ({ id: Number(m.id), address: String(m.address) })) ?? [];
  }

  /** Removes a member; ids are never reused. Removing the leader transfers leadership first. */
  async removeNode(id: NodeId): Promise<MemberAddress[]> {
    const res = await this.adminService().removeNode({ id });
    return res.members?.map((m) => ({ id: Number(m.id), address: String(m.address) })) ?? [];
  }

  /** Moves leadership to `to` (default: the most up-to-date voter); resolves with the new leader. */
  async transferLeadership(to = 0): Promise<NodeId> {
    const res = await this.adminService().transferLeadership({ to });
    return Number(res.leader);
  }

  status(): ClusterNodeStatus {
    const s = this.raft.status();
    const conf = s.conf;
    const lastContactMs = new Map<NodeId, number | undefined>();
    for (const id of [...conf.voters, ...conf.learners]) {
      if (id !== this.id) lastContactMs.set(id, this.transport.sinceLastContact(id));
    }
    return {
      ...s,
      clusterId: this.clusterId,
      address: this.address,
      leaderAddress: s.lead ? this.book.address(s.lead) : undefined,
      appliedIndex: this.raft.appliedIndex(),
      snapshotIndex: this.storage.snapshot().index,
      members: this.book.members().map((m) => ({ ...m, voter: conf.voters.includes(m.id) })),
      lastContactMs,
      removed: this.book.isRetired(this.id),
    };
  }

  /** Event-loop delay percentiles (ms) since the last reset: heartbeats must never wait long. */
  eventLoopDelay(reset = false): { p50: number; p99: number; max: number } {
    const h = this.loopDelay;
    // the histogram records whole sampling intervals: the delay is what exceeds the resolution
    const ms = (ns: number): number => Math.max(0, ns / 1e6 - loopDelayResolutionMs);
    const r = { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
    if (reset) h.reset();
    return r;
  }

  /** Graceful stop: hands leadership to another voter if this node leads, then closes. */
  async stop(timeoutMs = 3_000): Promise<void> {
    if (this.closedWith) return;
    const s = this.raft.status();
    if (s.role === 'leader' && s.conf.voters.length > 1) {
      try {
        await this.transferLocally(0, timeoutMs);
      } catch (err) {
        this.log.warn('leadership transfer at stop failed', { error: (err as Error).message });
      }
    }
    await this.close();
  }

  /** Why the node stopped (closed, or a fatal storage error), or undefined while it runs. */
  closedReason(): Error | undefined {
    return this.closedWith;
  }

  /** Stops at once: timers, connections, storage. Pending proposals fail with an unknown outcome. */
  async close(): Promise<void> {
    if (!this.closedWith) this.closedWith = new NodeClosedError('closed');
    await this.shutdown();
  }

  private shutdownDone: Promise<void> | undefined;

  private shutdown(): Promise<void> {
    this.shutdownDone ??= (async () => {
      if (this.promoteTimer) clearInterval(this.promoteTimer);
      this.loopDelay.disable();
      this.raft.stop(this.closedWith?.message ?? 'closed');
      for (const w of this.leaderWaiters) w();
      await this.transport.close();
      await this.storage.close().catch(() => undefined);
      this.lock.release();
    })();
    return this.shutdownDone;
  }

  // ---------------------------------------------------------------- internals

  private assertOpen(): void {
    if (this.closedWith) throw new NodeClosedError(this.closedWith.message);
  }

  private roleChangeOrDelay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.leaderWaiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, Math.max(1, Math.min(ms, 50)));
      this.leaderWaiters.add(done);
    });
  }

  /**
   * Points the transport at every member in the book except this node, and closes the connections to
   * retired (removed) members only. While a node replays its log — a fresh learner does, from index 1 — its
   * book passes through old configurations that lack current members, the leader among them: dropping
   * those would leave it unable to answer the leader, which then never learns where its log ends (the
   * learner would never catch up nor be promoted). Ids are never reused, so only a retired id is gone for good.
   */
  private syncPeers(): void {
    for (const m of this.book.members()) if (m.id !== this.id) this.transport.setPeer(m.id, m.address);
    for (const id of this.transport.peerIds()) if (this.book.isRetired(id)) this.transport.setPeer(id, undefined);
  }

  private async joinCluster(addresses: readonly string[]): Promise<void> {
    const deadline = performance.now() + (this.o.joinTimeoutMs ?? 30_000);
    let lastError: Error | undefined;
    for (let attempt = 0; performance.now() < deadline; attempt++) {
      for (const target of addresses) {
        this.assertOpen();
        const client = new AdminClient(target, { clusterId: this.clusterId, from: this.id, timeoutMs: 5_000 });
        try {
          const res = await client.join(this.id, this.address);
          // until this node has replayed the log, its member book is empty: dial the members it was told of
          for (const m of res.members) {
            if (m.id !== this.id && this.book.address(m.id) === undefined) this.transport.setPeer(m.id, m.address);
          }
          this.log.info('joined the cluster as a learner', { via: target });
          return;
        } catch (err) {
          lastError = err as Error;
          const code = (err as { code?: unknown }).code;
          // refusals that retrying cannot fix
          if (code === 'RAFT_CLUSTER_MISMATCH' || code === 'RAFT_NODE_ID_RETIRED' || code === 'RAFT_MEMBER_CONFLICT') {
            throw err;
          }
        } finally {
          client.close();
        }
      }
      await new Promise((r) => setTimeout(r, Math.min(1_000, 100 * 2 ** attempt)));
    }
    throw new ClusterTimeoutError(`joining through ${addresses.join(', ')} (${lastError?.message ?? 'no answer'})`);
  }

  /** The leader promotes learners whose log has caught up. */
  private startPromoter(): void {
    if (this.o.autoPromote === false) return;
    this.promoteTimer = setInterval(() => {
      const s = this.raft.status();
      if (s.role !== 'leader') return;
      for (const p of s.peers) {
        if (p.voter || !p.recentActive || !this.book.address(p.id)) continue;
        // caught up: within one apply batch of the leader's log
        if (s.lastIndex - p.match > 256) continue;
        const address = this.book.address(p.id) ?? '';
        this.raft.proposeConfChange({ type: ConfChangeType.AddVoter, node: p.id, context: enc.encode(address) }).then(
          () => {
            this.log.info('promoted learner to voter', { node: p.id });
          },
          () => undefined, // another change pending or leadership lost: the next round retries
        );
        return; // one change at a time
      }
    }, 250);
    this.promoteTimer.unref();
  }

  private members(): Member[] {
    const conf = this.raft.status().conf;
    return this.book.members().map((m) => ({ id: m.id, address: m.address, voter: conf.voters.includes(m.id) }));
  }

  /** Runs `local` on the leader, or forwards the call to it. */
  private async onLeader<T>(local: () => Promise<T>, forward: (leader: AdminClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    const lead = this.raft.status().lead;
    if (lead === this.id) return local();
    if (lead === 0) throw new NoLeaderError();
    const client = this.transport.clientFor(lead);
    if (!client) throw new NoLeaderError();
    const admin = new AdminClient(client, { clusterId: this.clusterId, from: this.id });
    return forward(admin);
  }

  /**
   * Refuses a removal after which the voters this leader has heard from within an election timeout would
   * be fewer than a quorum of the voters left: the change would commit, then nothing more would (etcd's
   * strict reconfiguration check does the same).
   */
  private checkQuorumWithout(voters: readonly NodeId[], removed: NodeId): void {
    const left = voters.filter((v) => v !== removed);
    const reachable = left.filter(
      (v) => v === this.id || (this.transport.sinceLastContact(v) ?? Infinity) <= this.electionTimeoutMs,
    );
    if (reachable.length < Math.floor(left.length / 2) + 1) throw new QuorumLossError(removed, reachable, left);
  }

  private async proposeChange(
    type: ConfChangeType,
    node: NodeId,
    address: string | undefined,
  ): Promise<{ members: Member[] }> {
    try {
      await this.raft.proposeConfChange({
        type,
        node,
        ...(address !== undefined ? { context: enc.encode(address) } : {}),
      });
    } catch (err) {
      if (err instanceof NotLeaderError) throw new NoLeaderError();
      throw err;
    }
    return { members: this.members() };
  }

  private async transferLocally(to: NodeId, timeoutMs: number): Promise<{ leader: NodeId; term: number }> {
    const s = this.raft.status();
    let target = to;
    if (target === 0) {
      const best = s.peers.filter((p) => p.voter && p.id !== this.id).sort((a, b) => b.match - a.match)[0];
      if (!best) throw new UnknownMemberError(0);
      target = best.id;
    }
    if (!s.conf.voters.includes(target)) throw new UnknownMemberError(target);
    if (target === this.id) return { leader: this.id, term: s.term };
    this.raft.transferLeadership(target);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const now = this.raft.status();
      if (now.lead === target && now.role !== 'leader') return { leader: target, term: now.term };
      if (now.role !== 'leader' && now.lead !== 0 && now.lead !== this.id) return { leader: now.lead, term: now.term };
      if (performance.now() >= deadline) throw new ClusterTimeoutError(`leadership transfer to node ${target}`);
      // The core abandons a transfer after an election timeout (a target slow to catch up under load, a
      // TimeoutNow lost on a reconnecting stream); ask again while the caller's deadline allows.
      if (now.role === 'leader' && now.leadTransferee === 0) this.raft.transferLeadership(target);
      await this.roleChangeOrDelay(deadline - performance.now());
    }
  }

  private adminService(): AdminService {
    return {
      join: (req) =>
        this.onLeader(
          async () => {
            const id = req.id;
            const address = req.address;
            if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) throw new RangeError(`invalid node id ${id}`);
            if (this.book.isRetired(id)) throw new NodeIdRetiredError(id);
            const existing = this.book.address(id);
            if (existing !== undefined) {
              if (existing !== address) {
                throw new MemberConflictError(`node ${id} is already a member at ${existing}, not ${address}`);
              }
              return { leader: this.id, members: this.members() };
            }
            const res = await this.proposeChange(ConfChangeType.AddLearner, id, address);
            this.log.info('added learner', { node: id, address });
            return { leader: this.id, ...res };
          },
          (leader) => leader.join(req.id, req.address),
        ),
      removeNode: (req) =>
        this.onLeader(
          async () => {
            const id = req.id;
            const conf = this.raft.status().conf;
            if (!conf.voters.includes(id) && !conf.learners.includes(id)) throw new UnknownMemberError(id);
            if (id === this.id) {
              // a leader does not remove itself: hand over first, then ask the new leader
              const { leader } = await this.transferLocally(0, 3_000);
              const client = this.transport.clientFor(leader);
              if (!client) throw new NoLeaderError();
              return new AdminClient(client, { clusterId: this.clusterId, from: this.id }).removeNode(id);
            }
            if (conf.voters.includes(id)) this.checkQuorumWithout(conf.voters, id);
            const res = await this.proposeChange(ConfChangeType.RemoveNode, id, undefined);
            this.log.info('removed member', { node: id });
            return res;
          },
          (leader) => leader.removeNode(req.id),
        ),
      transferLeadership: (req) =>
        this.onLeader(
          () => this.transferLocally(req.to, 3_000),
          (leader) => leader.transferLeadership(req.to),
        ),
      status: () => this.statusMessage(),
    };
  }

  private statusMessage(): NodeStatus {
    const s = this.status();
    return {
      id: s.id,
      clusterId: s.clusterId,
      address: s.address,
      role: s.role,
      term: s.term,
      leader: s.lead,
      leaderAddress: s.leaderAddress ?? '',
      commitIndex: s.commit,
      appliedIndex: s.appliedIndex,
      lastIndex: s.lastIndex,
      snapshotIndex: s.snapshotIndex,
      peers: s.peers.map((p) => ({
        id: p.id,
        address: this.book.address(p.id) ?? '',
        voter: p.voter,
        match: p.match,
        next: p.next,
        state: p.state,
        recentActive: p.recentActive,
        lastContactMs: s.lastContactMs.get(p.id) ?? -1,
      })),
      members: s.members.map((m) => ({ id: m.id, address: m.address, voter: m.voter })),
      removed: s.removed,
    };
  }
}

function readIdentity(file: string): NodeIdentity | undefined {
  if (!fs.existsSync(file)) return undefined;
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<NodeIdentity>;
  if (typeof v.clusterId !== 'string' || typeof v.id !== 'number' || typeof v.address !== 'string') {
    throw new DataDirMismatchError(`${file} is malformed`);
  }
  return v as NodeIdentity;
}

/** Splits `host:port` (IPv6 hosts in brackets). */
export function splitHostPort(address: string): [string, string] {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!m?.[1] || m[2] === undefined) throw new RangeError(`expected host:port, got "${address}"`);
  return [m[1], m[2]];
}
