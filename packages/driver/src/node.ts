import * as path from 'node:path';
import type { ClusterNodeStatus, Logger, MemberAddress } from '@walraft/raft';
import { ClusterNode, silentLogger } from '@walraft/raft';
import { checkDatabaseName, ReplicatedSqlite } from '@walraft/replication';
import { Database } from './database';
import { TimeoutError } from './errors';

export interface NodeOptions {
  /** This node's id: a positive integer, never reused within the cluster. */
  readonly id: number;
  /** Where this node keeps its Raft log and its databases. */
  readonly dataDir: string;
  /** `host:port` to listen on for other nodes (port 0: pick one, kept across restarts). */
  readonly listen: string;
  /** Start a new cluster with this node as its first member. */
  readonly bootstrap?: boolean;
  /** Join a running cluster through these members' addresses. */
  readonly join?: readonly string[];
  /** Names the cluster; nodes of another cluster are refused. Default "walraft". */
  readonly clusterId?: string;
  /** Milliseconds per Raft tick (election timeout is 10–20 ticks). Default 50. */
  readonly tickMs?: number;
  /** Writes not answered within this time fail with an unknown outcome. Default 10 s. */
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface OpenOptions {
  /** Page size of a database this call creates. Default 4096. */
  readonly pageSize?: number;
  /** How long to wait for the database to be created and present here. Default 10 s. */
  readonly timeoutMs?: number;
}

/** A cluster member embedded in this process. */
export class Node {
  readonly id: number;
  readonly #cluster: ClusterNode;
  readonly #sm: ReplicatedSqlite;
  #closed = false;

  private constructor(cluster: ClusterNode, sm: ReplicatedSqlite) {
    this.id = cluster.id;
    this.#cluster = cluster;
    this.#sm = sm;
  }

  /** @internal */
  static async start(o: NodeOptions): Promise<Node> {
    const logger = o.logger ?? silentLogger;
    const sm = await ReplicatedSqlite.open({ dir: path.join(o.dataDir, 'sqlite'), logger });
    let cluster: ClusterNode;
    try {
      cluster = await ClusterNode.start({
        id: o.id,
        clusterId: o.clusterId ?? 'walraft',
        dataDir: o.dataDir,
        listen: o.listen,
        bootstrap: o.bootstrap ?? false,
        join: o.join ?? [],
        stateMachine: sm,
        onRoleChange: (s) => {
          sm.onRoleChange(s);
        },
        logger,
        ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
        ...(o.requestTimeoutMs !== undefined ? { requestTimeoutMs: o.requestTimeoutMs } : {}),
      });
    } catch (err) {
      await sm.close();
      throw err;
    }
    sm.attach(cluster);
    return new Node(cluster, sm);
  }

  /** The address other members and clients reach this node at. */
  get address(): string {
    return this.#cluster.advertisedAddress;
  }

  /**
   * Opens a replicated database, creating it (on the leader) when it does not exist yet; resolves once this
   * node holds it.
   */
  async open(name: string, options: OpenOptions = {}): Promise<Database> {
    checkDatabaseName(name);
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    while (!this.#sm.hasDatabase(name)) {
      if (this.#closed) throw new Error('the node is closed');
      if (this.#cluster.status().role === 'leader') {
        await this.#sm.createDatabase(name, options.pageSize ?? 4096);
      }
      if (Date.now() > deadline) throw new TimeoutError(`opening database ${name}`);
      if (!this.#sm.hasDatabase(name)) await new Promise((r) => setTimeout(r, 20));
    }
    return new Database(name, this.#cluster, this.#sm);
  }

  databases(): string[] {
    return this.#sm.databases();
  }

  status(): ClusterNodeStatus {
    return this.#cluster.status();
  }

  /** Resolves with the leader's id once one is known. */
  waitForLeader(timeoutMs?: number): Promise<number> {
    return this.#cluster.waitForLeader(timeoutMs);
  }

  addNode(id: number, address: string): Promise<MemberAddress[]> {
    return this.#cluster.addNode(id, address);
  }

  removeNode(id: number): Promise<MemberAddress[]> {
    return this.#cluster.removeNode(id);
  }

  transferLeadership(to?: number): Promise<number> {
    return this.#cluster.transferLeadership(to);
  }

  /** Stops serving and closes every database (no checkpoint is needed: the log is the truth). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
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
