import * as fs from 'node:fs';
import type { Statement, StatementResult } from '@walraft/replication';
import { checkDatabaseName, ReplicationClosedError } from '@walraft/replication';
import type { MemberAddress } from '@walraft/raft';
import { AdminClient, splitHostPort } from '@walraft/raft';
import { Database } from '../database';
import type { DatabaseOptions } from '../database';
import { InvalidParameterError, NodeUnavailableError } from '../errors';
import type { ClusterMember } from '../node';
import { retryDefinite } from '../retry';
import type { Backend, QuerySpec, Row, TxBackend } from '../types';
import { RemoteNode } from './remote-node';

/** One member's answer to `pageHashes`. */
export interface MemberPageHash {
  readonly id: number;
  readonly address: string;
  readonly appliedIndex: number;
  readonly hash: string;
  readonly error?: string;
}

export interface ConnectOptions {
  /** The cluster's id; nodes of another cluster are refused. Default "walraft". */
  readonly clusterId?: string;
  /** Deadline of one attempt of a write, transaction step or recover. Default 15 s. */
  readonly requestTimeoutMs?: number;
  /** How long to wait for a connection to a node. Default 2 s. */
  readonly connectTimeoutMs?: number;
  /** How long definite failures (no leader, node down) are retried. Default 10 s. */
  readonly retryTimeoutMs?: number;
}

export interface ClientOpenOptions extends DatabaseOptions {
  readonly pageSize?: number;
  readonly create?: boolean;
}

function checkAddress(a: unknown): string {
  if (typeof a !== 'string') throw new InvalidParameterError('a node address must be a "host:port" string');
  try {
    splitHostPort(a);
  } catch {
    throw new InvalidParameterError(`malformed node address "${a}" (expected host:port)`);
  }
  return a;
}

/**
 * Routes a remote client's requests. Reads go to the node the client is attached to (the first of its
 * addresses that answers; the next one when it fails), so linearizable reads spread over the cluster.
 * Writes, transactions and recovery go straight to the leader once a reply has named it, else through the
 * attached node, which forwards them.
 */
type RouterOptions = Required<Pick<ConnectOptions, 'clusterId' | 'requestTimeoutMs' | 'connectTimeoutMs'>>;

class ClientRouter implements Backend {
  readonly #o: RouterOptions;
  readonly #addresses: string[];
  readonly #nodes = new Map<string, RemoteNode>();
  readonly #kinds = new Map<string, boolean>();
  #home = 0;
  #leaderAddress: string | undefined;
  #closed = false;

  constructor(addresses: readonly string[], o: RouterOptions) {
    this.#addresses = [...addresses];
    this.#o = o;
  }

  get leaderAddress(): string | undefined {
    return this.#leaderAddress;
  }

  get homeAddress(): string {
    return this.#addresses[this.#home] as string;
  }

  #node(address: string): RemoteNode {
    if (this.#closed) throw new ReplicationClosedError('the client');
    let n = this.#nodes.get(address);
    if (n === undefined) {
      n = new RemoteNode(address, {
        clusterId: this.#o.clusterId,
        forwarded: false,
        requestTimeoutMs: this.#o.requestTimeoutMs,
        connectTimeoutMs: this.#o.connectTimeoutMs,
        statementKinds: this.#kinds,
        onHint: (leader, addr) => {
          this.#leaderAddress = leader !== 0 && addr !== '' ? addr : undefined;
        },
      });
      this.#nodes.set(address, n);
    }
    return n;
  }

  /** Runs op on the attached node; when it cannot be reached, the next address becomes the attached one. */
  async #onHome<T>(op: (n: RemoteNode) => Promise<T>): Promise<T> {
    const address = this.homeAddress;
    try {
      return await op(this.#node(address));
    } catch (err) {
      if (err instanceof NodeUnavailableError && this.homeAddress === address) {
        this.#home = (this.#home + 1) % this.#addresses.length;
      }
      throw err;
    }
  }

  /** Runs op on the leader when known (else on the attached node, which forwards). */
  async #onLeader<T>(op: (n: RemoteNode) => Promise<T>): Promise<T> {
    const leader = this.#leaderAddress;
    if (leader === undefined) return this.#onHome(op);
    try {
      return await op(this.#node(leader));
    } catch (err) {
      if (err instanceof NodeUnavailableError && this.#leaderAddress === leader) this.#leaderAddress = undefined;
      throw err;
    }
  }

  open(db: string, create: boolean, pageSize: number): Promise<void> {
    return this.#onHome((n) => n.open(db, create, pageSize));
  }

  write(db: string, token: Uint8Array, statements: readonly Statement[]): Promise<readonly StatementResult[]> {
    return this.#onLeader((n) => n.write(db, token, statements));
  }

  begin(db: string, token: Uint8Array): Promise<TxBackend> {
    return this.#onLeader((n) => n.begin(db, token));
  }

  recover(db: string, token: Uint8Array): Promise<boolean> {
    return this.#onLeader((n) => n.recover(db, token));
  }

  async *query(q: QuerySpec): AsyncGenerator<readonly Row[]> {
    const address = q.consistency === 'weak' ? (this.#leaderAddress ?? this.homeAddress) : this.homeAddress;
    try {
      yield* this.#node(address).query(q);
    } catch (err) {
      if (err instanceof NodeUnavailableError) {
        if (address === this.homeAddress) this.#home = (this.#home + 1) % this.#addresses.length;
        if (address === this.#leaderAddress) this.#leaderAddress = undefined;
      }
      throw err;
    }
  }

  /** A backup from the attached node (any member can give one: it follows a linearizable barrier). */
  backup(db: string, write: (chunk: Buffer) => void): Promise<{ size: number; appliedIndex: number }> {
    return this.#onHome((n) => n.backup(db, write));
  }

  close(): void {
    this.#closed = true;
    for (const n of this.#nodes.values()) n.close();
    this.#nodes.clear();
  }
}

/** A remote connection to a cluster: open databases on it as if they were local. */
export class Client {
  readonly #router: ClientRouter;
  readonly #o: Required<ConnectOptions>;
  readonly #addresses: readonly string[];
  #closed = false;

  /** @internal */
  constructor(addresses: readonly string[], o: Required<ConnectOptions>) {
    this.#addresses = addresses;
    this.#o = o;
    this.#router = new ClientRouter(addresses, o);
  }

  /** The address of the node this client reads from now. */
  get attachedTo(): string {
    return this.#router.homeAddress;
  }

  /** Opens a replicated database, creating it when it does not exist (unless `create: false`). */
  async open(name: string, options: ClientOpenOptions = {}): Promise<Database> {
    if (this.#closed) throw new ReplicationClosedError('the client');
    checkDatabaseName(name);
    await retryDefinite(
      () => this.#router.open(name, options.create ?? true, options.pageSize ?? 4096),
      options.retryTimeoutMs ?? this.#o.retryTimeoutMs,
      () => this.#closed,
    );
    return new Database(name, this.#router, { retryTimeoutMs: this.#o.retryTimeoutMs, ...options });
  }

  /** Cluster administration through any reachable node (each forwards to the leader). */
  async #admin<T>(op: (a: AdminClient) => Promise<T>, timeoutMs = this.#o.requestTimeoutMs): Promise<T> {
    if (this.#closed) throw new ReplicationClosedError('the client');
    const order = [this.#router.homeAddress, ...this.#addresses.filter((a) => a !== this.#router.homeAddress)];
    let last: unknown;
    for (const address of order) {
      const admin = new AdminClient(address, { clusterId: this.#o.clusterId, timeoutMs });
      try {
        return await op(admin);
      } catch (err) {
        // a node's answer (a refusal) is final; only a transport failure (GRPC_<status>) moves on
        const code = (err as { code?: unknown }).code;
        if (!(typeof code === 'string' && code.startsWith('GRPC_'))) throw err;
        last = err;
      } finally {
        admin.close();
      }
    }
    throw new NodeUnavailableError(`none of ${this.#addresses.join(', ')} answered: ${(last as Error).message}`);
  }

  /**
   * Every member's applied index and page hash of database `db`, each after a linearizable barrier on that
   * member. On a quiet cluster all agree; `error` names a member that could not answer.
   */
  async pageHashes(db: string): Promise<MemberPageHash[]> {
    checkDatabaseName(db);
    const members = await this.cluster();
    return Promise.all(
      members.map(async (m): Promise<MemberPageHash> => {
        const node = new RemoteNode(m.address, {
          clusterId: this.#o.clusterId,
          forwarded: false,
          requestTimeoutMs: this.#o.requestTimeoutMs,
          connectTimeoutMs: this.#o.connectTimeoutMs,
        });
        try {
          return { id: m.id, address: m.address, ...(await node.pageHash(db)) };
        } catch (err) {
          return { id: m.id, address: m.address, appliedIndex: 0, hash: '', error: (err as Error).message };
        } finally {
          node.close();
        }
      }),
    );
  }

  /**
   * An online, consistent backup of database `name` into `file`: a plain SQLite file that the sqlite3 tool
   * opens. Written beside `file` and renamed into place once complete.
   */
  async backup(name: string, file: string): Promise<{ bytes: number; appliedIndex: number }> {
    checkDatabaseName(name);
    const temp = `${file}.partial`;
    const fd = fs.openSync(temp, 'w');
    try {
      const r = await retryDefinite(
        () => {
          fs.ftruncateSync(fd, 0);
          let at = 0;
          return this.#router.backup(name, (chunk) => {
            fs.writeSync(fd, chunk, 0, chunk.length, at);
            at += chunk.length;
          });
        },
        this.#o.retryTimeoutMs,
        () => this.#closed,
      );
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(temp, file);
      return { bytes: r.size, appliedIndex: r.appliedIndex };
    } catch (err) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
      fs.rmSync(temp, { force: true });
      throw err;
    }
  }

  /** The attached node's view of the cluster: role, term, leader, indexes, per-peer progress. */
  status(timeoutMs?: number): ReturnType<AdminClient['status']> {
    return this.#admin((a) => a.status(), timeoutMs);
  }

  /** The members of the cluster. */
  async cluster(): Promise<ClusterMember[]> {
    const s = await this.status();
    return s.members.map((m) => ({ id: m.id, address: m.address, voter: m.voter, leader: m.id === s.leader }));
  }

  async addNode(id: number, address: string): Promise<MemberAddress[]> {
    const r = await this.#admin((a) => a.join(id, checkAddress(address)));
    return r.members.map((m) => ({ id: m.id, address: m.address }));
  }

  async removeNode(id: number): Promise<MemberAddress[]> {
    const r = await this.#admin((a) => a.removeNode(id));
    return r.members.map((m) => ({ id: m.id, address: m.address }));
  }

  /** Hands leadership to `to` (or the most caught-up voter); resolves with the new leader's id. */
  async transferLeadership(to = 0): Promise<number> {
    const r = await this.#admin((a) => a.transferLeadership(to));
    return r.leader;
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#router.close();
    }
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Connects to a cluster through any of its nodes' addresses. Resolves once one node has answered and
 * proved to belong to the cluster (ClusterMismatchError otherwise; NodeUnavailableError when none answers).
 */
export async function connect(addresses: string | readonly string[], options: ConnectOptions = {}): Promise<Client> {
  const list = (typeof addresses === 'string' ? addresses.split(',') : [...addresses]).map((a) =>
    checkAddress(typeof a === 'string' ? a.trim() : a),
  );
  if (list.length === 0) throw new InvalidParameterError('connect needs at least one node address');
  const o: Required<ConnectOptions> = {
    clusterId: options.clusterId ?? 'walraft',
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 2_000,
    retryTimeoutMs: options.retryTimeoutMs ?? 10_000,
  };
  const client = new Client(list, o);
  try {
    await client.status(o.connectTimeoutMs);
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}
