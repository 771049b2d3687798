import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClusterNodeStatus, Logger, MemberAddress } from '@walraft/raft';
import { ClusterNode, silentLogger } from '@walraft/raft';
import { checkDatabaseName, NotLeaderError, ReplicatedSqlite, ReplicationClosedError } from '@walraft/replication';
import type { DatabaseOptions, LocalReader } from './database';
import { EmbeddedDatabase } from './database';
import { NodeBackend } from './node-backend';
import type { LeaderLink, WriteObserver } from './node-backend';
import { RemoteNode } from './remote/remote-node';
import { clientService } from './remote/service';
import { retryDefinite } from './retry';
import type { PageHash } from './types';
import type { ServiceHost } from './remote/service';

export interface NodeOptions {
  /** This node's id: a positive integer, never reused within the cluster. */
  readonly id: number;
  /** Where this node keeps its Raft log and its databases. */
  readonly dataDir: string;
  /** `host:port` to listen on for other nodes and clients (port 0: pick one, kept across restarts). */
  readonly listen: string;
  /** Start a new cluster with this node as its first member. */
  readonly bootstrap?: boolean;
  /** Join a running cluster through these members' addresses. */
  readonly join?: readonly string[];
  /** Names the cluster; nodes and clients of another cluster are refused. Default "walraft". */
  readonly clusterId?: string;
  /** Take a snapshot and compact the Raft log every this many applied entries. Default 10,000. */
  readonly snapshotEvery?: number;
  /** Milliseconds per Raft tick (election timeout is 10–20 ticks). Default 50. */
  readonly tickMs?: number;
  /** Writes not answered within this time fail with an unknown outcome. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Maps a member's advertised address to the one this node dials (a fault proxy in tests). */
  readonly dialAddress?: (peer: number, address: string) => string;
  readonly logger?: Logger;
  /** Told of every write transaction this node runs as the leader (for metrics). */
  readonly onWrite?: WriteObserver;
  /** Told how long each fdatasync of the Raft log took (for metrics). */
  readonly onFsync?: (ms: number) => void;
  /**
   * Called once if the node stops on a fatal storage error (a failed write or fsync of its Raft log, e.g. a
   * full disk), after the node has closed itself: it no longer serves anything, and its on-disk state is
   * what recovery starts from. A supervising process should exit and be restarted.
   */
  readonly onFatal?: (err: Error) => void;
}

export interface OpenOptions extends DatabaseOptions {
  /** Page size of a database this call creates. Default 4096. */
  readonly pageSize?: number;
  /** Create the database when it does not exist. Default true. */
  readonly create?: boolean;
}

/** A member of the cluster as `cluster()` lists it. */
export interface ClusterMember {
  readonly id: number;
  readonly address: string;
  readonly voter: boolean;
  readonly leader: boolean;
}

/** Keeps one connection to the current leader for forwarding; a new one when the leader moves. */
class ForwardingLink implements LeaderLink {
  #remote: RemoteNode | undefined;
  constructor(
    private readonly cluster: ClusterNode,
    private readonly requestTimeoutMs: number,
    private readonly dialAddress: ((peer: number, address: string) => string) | undefined,
  ) {}

  leader(): RemoteNode {
    const lead = this.cluster.raftNode.status().lead;
    const advertised = this.cluster.leaderAddress();
    if (lead === 0 || lead === this.cluster.id || advertised === undefined) throw new NotLeaderError(lead);
    const address = this.dialAddress ? this.dialAddress(lead, advertised) : advertised;
    if (this.#remote?.address !== address) {
      this.#remote?.close();
      this.#remote = new RemoteNode(address, {
        clusterId: this.cluster.clusterId,
        forwarded: true,
        // a forwarded write must be answered before the client's own deadline
        requestTimeoutMs: this.requestTimeoutMs + 2_000,
      });
    }
    return this.#remote;
  }

  close(): void {
    this.#remote?.close();
    this.#remote = undefined;
  }
}

/** A cluster member embedded in this process; it also serves remote clients on its address. */
export class Node {
  readonly id: number;
  readonly #cluster: ClusterNode;
  readonly #sm: ReplicatedSqlite;
  readonly #link: ForwardingLink;
  readonly #direct: NodeBackend;
  #closed = false;

  readonly #observe: WriteObserver | undefined;

  private constructor(cluster: ClusterNode, sm: ReplicatedSqlite, link: ForwardingLink, observe?: WriteObserver) {
    this.id = cluster.id;
    this.#cluster = cluster;
    this.#sm = sm;
    this.#link = link;
    this.#observe = observe;
    this.#direct = new NodeBackend(cluster, sm, link, true, observe);
  }

  /** @internal */
  static async start(o: NodeOptions): Promise<Node> {
    const logger = o.logger ?? silentLogger;
    const clusterId = o.clusterId ?? 'walraft';
    const requestTimeoutMs = o.requestTimeoutMs ?? 10_000;
    const sm = await ReplicatedSqlite.open({ dir: path.join(o.dataDir, 'sqlite'), logger });
    // backups are written here before they are sent; leftovers of a crash go at start-up
    const tmp = path.join(o.dataDir, 'tmp');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    // the client service is registered before the node listens, and served once the node is up
    const started: { node?: Node } = {};
    const host: ServiceHost = {
      clusterId,
      nodeId: o.id,
      backend: (forwarded) => {
        const n = started.node;
        return n === undefined || n.#closed ? undefined : n.#backend(forwarded);
      },
      hint: () => started.node?.leaderHint() ?? { leader: 0, leaderAddress: '' },
      backup: async (db) => {
        const n = started.node;
        if (n === undefined) throw new ReplicationClosedError('the node');
        const file = path.join(tmp, `backup-${randomBytes(8).toString('hex')}.db`);
        try {
          return { file, appliedIndex: await n.backup(db, file) };
        } catch (err) {
          fs.rmSync(file, { force: true });
          throw err;
        }
      },
      pageHash: (db) => {
        const n = started.node;
        if (n === undefined) return Promise.reject(new ReplicationClosedError('the node'));
        return n.pageHash(db);
      },
    };
    let cluster: ClusterNode;
    try {
      cluster = await ClusterNode.start({
        id: o.id,
        clusterId,
        dataDir: o.dataDir,
        listen: o.listen,
        bootstrap: o.bootstrap ?? false,
        join: o.join ?? [],
        stateMachine: sm,
        onRoleChange: (s) => {
          sm.onRoleChange(s);
        },
        services: [clientService(host)],
        ...(o.onFsync ? { onFsync: o.onFsync } : {}),
        // a node stopped by a fatal storage error closes its databases too: that releases any writer parked at
        // a commit gate (whose worker thread would otherwise keep the process from exiting)
        onFatal: (err) => {
          const closing = started.node ? started.node.close() : sm.close();
          void closing
            .catch(() => undefined)
            .finally(() => {
              o.onFatal?.(err);
            });
        },
        logger,
        requestTimeoutMs,
        ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
        ...(o.snapshotEvery !== undefined ? { checkpointEvery: o.snapshotEvery } : {}),
        ...(o.dialAddress ? { dialAddress: o.dialAddress } : {}),
      });
    } catch (err) {
      await sm.close();
      throw err;
    }
    sm.attach(cluster);
    started.node = new Node(cluster, sm, new ForwardingLink(cluster, requestTimeoutMs, o.dialAddress), o.onWrite);
    return started.node;
  }

  /** @internal The leader as this node knows it, for the hints in replies to clients. */
  leaderHint(): { leader: number; leaderAddress: string } {
    // a hint goes into every reply, error replies included: a stopped node has none to give, and must not throw
    if (this.#closed || this.#cluster.closedReason() !== undefined) return { leader: 0, leaderAddress: '' };
    const lead = this.#cluster.raftNode.status().lead;
    const address = lead === 0 ? '' : lead === this.id ? this.address : (this.#cluster.leaderAddress() ?? '');
    return { leader: lead, leaderAddress: address };
  }

  #backend(forwarded: boolean): NodeBackend {
    return forwarded ? new NodeBackend(this.#cluster, this.#sm, this.#link, false, this.#observe) : this.#direct;
  }

  /** The address other members and remote clients reach this node at. */
  get address(): string {
    return this.#cluster.advertisedAddress;
  }

  /**
   * Opens a replicated database, creating it (through the leader) when it does not exist yet; resolves
   * once this node holds it.
   */
  async open(name: string, options: OpenOptions = {}): Promise<EmbeddedDatabase> {
    if (this.#closed) throw new ReplicationClosedError('the node');
    checkDatabaseName(name);
    await retryDefinite(
      () => this.#direct.open(name, options.create ?? true, options.pageSize ?? 4096),
      options.retryTimeoutMs ?? 10_000,
      () => this.#closed,
    );
    return new EmbeddedDatabase(name, this.#direct, () => this.#localReader(name), options);
  }

  #localReader(name: string): LocalReader {
    const replica = this.#sm.database(name);
    const raft = this.#cluster.raftNode;
    return {
      prepare: (sql: string) => replica.reader().prepare(sql),
      get appliedIndex() {
        return raft.appliedIndex();
      },
    };
  }

  /** After a linearizable barrier: this node's applied index and the SHA-256 of the database's pages. */
  pageHash(name: string): Promise<PageHash> {
    return this.#direct.pageHash(name);
  }

  /**
   * Writes a consistent copy of database `name` to `file` as a plain SQLite file (after a linearizable
   * barrier); resolves with the applied index it reflects at least.
   */
  backup(name: string, file: string): Promise<number> {
    return this.#direct.backup(name, file);
  }

  /** Counters since start: checkpoints, log compactions, snapshots sent and installed. */
  stats(): { checkpoints: number; compactions: number; snapshotsSent: number; snapshotsInstalled: number } {
    return { ...this.#cluster.raftNode.stats };
  }

  /** Event-loop delay percentiles (ms) of this process since the last reset. */
  eventLoopDelay(reset = false): { p50: number; p99: number; max: number } {
    return this.#cluster.eventLoopDelay(reset);
  }

  /** The databases this node holds. */
  databases(): string[] {
    return this.#sm.databases();
  }

  status(): ClusterNodeStatus {
    return this.#cluster.status();
  }

  /** The members of the cluster as this node knows them. */
  cluster(): ClusterMember[] {
    const s = this.#cluster.status();
    return s.members.map((m) => ({ id: m.id, address: m.address, voter: m.voter, leader: m.id === s.lead }));
  }

  /** Resolves with the leader's id once one is known. */
  waitForLeader(timeoutMs?: number): Promise<number> {
    return this.#cluster.waitForLeader(timeoutMs);
  }

  /** Adds a member (it joins as a learner and becomes a voter once caught up). */
  addNode(id: number, address: string): Promise<MemberAddress[]> {
    return this.#cluster.addNode(id, address);
  }

  removeNode(id: number): Promise<MemberAddress[]> {
    return this.#cluster.removeNode(id);
  }

  /** Hands leadership to `to` (or the most caught-up voter); resolves with the new leader's id. */
  transferLeadership(to?: number): Promise<number> {
    return this.#cluster.transferLeadership(to);
  }

  /** Stops serving and closes every database (no checkpoint is needed: the log is the truth). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#link.close();
    await this.#cluster.close();
    await this.#sm.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Starts (or restarts) a cluster member in this process. */
export function startNode(options: NodeOptions): Promise<Node> {
  return Node.start(options);
}
