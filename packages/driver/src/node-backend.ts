import type { ClusterNode } from '@walraft/raft';
import type { InteractiveTransaction, ReplicatedSqlite, Statement, StatementResult } from '@walraft/replication';
import {
  checkDatabaseName,
  ClusterUnavailableError,
  CommitOutcomeUnknownError,
  DatabaseNotFoundError,
  NotLeaderError,
  ReplicationClosedError,
} from '@walraft/replication';
import { normalizeError, ReplicaLagError, TimeoutError, TransactionAbortedError } from './errors';
import { preparedStatement } from './statement-cache';
import type { RemoteNode } from './remote/remote-node';
import type { Backend, PageHash, QuerySpec, Row, TxBackend } from './types';

/** Rows read in one go on the shared reader before a query is moved to a streaming connection of its own. */
const inlineRows = 1_000;
/** A streamed read transaction is ended after this long (it holds back checkpoints). */
export const maxStreamMs = 30_000;

function args(params: QuerySpec['params']): unknown[] {
  return params === undefined ? [] : Array.isArray(params) ? [...(params as readonly unknown[])] : [params];
}

/** Told of every write transaction this node ran as the leader: its latency and whether it committed. */
export type WriteObserver = (ms: number, committed: boolean) => void;

class LocalTransaction implements TxBackend {
  readonly #started = performance.now();
  constructor(
    private readonly tx: InteractiveTransaction,
    private readonly observe: WriteObserver | undefined,
  ) {}
  async run(statement: Statement): Promise<StatementResult> {
    try {
      return await this.tx.run(statement);
    } catch (err) {
      if (isDefinite(err)) throw err; // SQL errors: still open
      // anything else (the node stopping on a fatal storage error, say) ends the transaction before its commit
      // was ever sent: it is rolled back and can never commit, which the client is told definitely
      await this.tx.abandon(err as Error);
      throw new TransactionAbortedError(this.tx.token, (err as Error).message);
    }
  }
  async commit(): Promise<void> {
    try {
      await this.tx.commit();
      this.observe?.(performance.now() - this.#started, true);
    } catch (err) {
      this.observe?.(performance.now() - this.#started, false);
      throw withToken(err, this.tx.token);
    }
  }
  rollback(): Promise<void> {
    return this.tx.rollback();
  }
  get ended(): boolean {
    return this.tx.ended;
  }
}

/** The link from a follower to its leader, for forwarding (one connection, replaced when the leader moves). */
export interface LeaderLink {
  /** A connection to the current leader; NotLeaderError when none is known. */
  leader(): RemoteNode;
}

/**
 * Runs a database's requests on this node: writes, transactions, recovery and `weak` reads on the leader
 * (forwarded to it from a follower, unless the request was itself forwarded), linearizable reads on any
 * node through ReadIndex, `none` reads on the local replica.
 */
export class NodeBackend implements Backend {
  constructor(
    private readonly cluster: ClusterNode,
    private readonly sm: ReplicatedSqlite,
    private readonly link: LeaderLink,
    /** false for requests that were forwarded here: they are never forwarded again. */
    private readonly mayForward: boolean,
    private readonly observe?: WriteObserver,
  ) {}

  #isLeader(): boolean {
    return this.cluster.raftNode.status().role === 'leader';
  }

  /** The leader to forward to; NotLeaderError when this request may not (or cannot) be forwarded. */
  #leader(): RemoteNode {
    if (!this.mayForward) throw new NotLeaderError(this.cluster.raftNode.status().lead);
    return this.link.leader();
  }

  async open(db: string, create: boolean, pageSize: number): Promise<void> {
    checkDatabaseName(db);
    if (this.sm.hasDatabase(db)) return;
    if (this.#isLeader()) {
      if (!create) throw new DatabaseNotFoundError(db);
      await this.sm.createDatabase(db, pageSize);
    } else {
      await this.#leader().open(db, create, pageSize);
    }
    // the leader has it: once this node has applied as far as the leader had, it has it too
    await this.#readIndex();
    if (!this.sm.hasDatabase(db)) throw new DatabaseNotFoundError(db);
  }

  async write(db: string, token: Uint8Array, statements: readonly Statement[]): Promise<readonly StatementResult[]> {
    const t0 = performance.now();
    let local = false;
    try {
      // a stopped node throws from its status too: that must reach the client as definite or with the token
      if (!this.#isLeader()) return await this.#leader().write(db, token, statements);
      local = true;
      const r = await this.sm.write(db, { token, statements });
      this.observe?.(performance.now() - t0, true);
      return r;
    } catch (err) {
      if (local) this.observe?.(performance.now() - t0, false);
      throw withToken(err, token);
    }
  }

  async begin(db: string, token: Uint8Array): Promise<TxBackend> {
    try {
      // a stopped node throws from its status too
      if (!this.#isLeader()) return await this.#leader().begin(db, token);
      return new LocalTransaction(await this.sm.begin(db, token), this.observe);
    } catch (err) {
      // no transaction was opened, let alone committed
      if (isDefinite(err)) throw err;
      throw new TransactionAbortedError(token, (err as Error).message);
    }
  }

  recover(db: string, token: Uint8Array): Promise<boolean> {
    if (this.#isLeader()) return this.sm.recover(db, token);
    return this.#leader().recover(db, token);
  }

  /**
   * After a linearizable barrier, this node's applied index and the hash of the database's pages. The two
   * are read around the hash and must agree; with writes still arriving the answer is the best effort of a
   * few tries (compare hashes only where the applied indexes are equal).
   */
  async pageHash(db: string): Promise<PageHash> {
    const replica = this.sm.database(db);
    await this.#readIndex();
    for (let attempt = 0; ; attempt++) {
      const before = this.cluster.raftNode.appliedIndex();
      const hash = replica.pageHash();
      const after = this.cluster.raftNode.appliedIndex();
      if (before === after || attempt >= 4) return { appliedIndex: after, hash };
      await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * Writes a consistent copy of the database into `file` (a plain SQLite file), after a linearizable
   * barrier; resolves with the applied index the copy reflects at least.
   */
  async backup(db: string, file: string): Promise<number> {
    const replica = this.sm.database(db);
    await this.#readIndex();
    const applied = this.cluster.raftNode.appliedIndex();
    await replica.backupTo(file);
    return applied;
  }

  /** Waits until this node has applied everything committed before the call. */
  async #readIndex(): Promise<void> {
    const s = this.cluster.raftNode.status();
    if (s.lead === 0) throw new ClusterUnavailableError('no leader is known');
    try {
      await this.cluster.readIndex();
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === 'RAFT_READ_TIMEOUT') throw new TimeoutError('the linearizable read');
      if (e.code === 'RAFT_NODE_STOPPED') throw new ReplicationClosedError('the node');
      throw err;
    }
  }

  async *query(q: QuerySpec): AsyncGenerator<readonly Row[]> {
    const replica = this.sm.database(q.db);
    // wait for freshness first: the statement may name a table this replica is about to learn of
    switch (q.consistency) {
      case 'linearizable':
        await this.#readIndex();
        break;
      case 'weak':
        if (!this.#isLeader()) {
          yield* this.#leader().query(q);
          return;
        }
        break;
      case 'none':
        if (q.maxLag > 0) {
          const s = this.cluster.raftNode.status();
          const lag = Math.max(0, s.commit - this.cluster.raftNode.appliedIndex());
          if (s.lead === 0 || lag > q.maxLag) throw new ReplicaLagError(s.lead === 0 ? Infinity : lag, q.maxLag);
        }
        break;
    }
    let readonly: boolean;
    try {
      readonly = preparedStatement(replica.reader(), q.sql).readonly;
    } catch (err) {
      throw normalizeError(err);
    }
    q.onKind?.(readonly);
    if (!readonly) {
      const statement: Statement =
        q.params === undefined ? { sql: q.sql, mode: 'all' } : { sql: q.sql, params: q.params, mode: 'all' };
      const [r] = await this.write(q.db, q.token, [statement]);
      yield (r?.rows ?? []) as Row[];
      return;
    }
    // Most results are small: read them at once on the shared reader connection (no await in between, so
    // nothing else uses it meanwhile). A large one is read again on a streaming connection of its own.
    let it: IterableIterator<unknown>;
    const rows: Row[] = [];
    try {
      it = preparedStatement(replica.reader(), q.sql).iterate(...args(q.params));
      for (let r = it.next(); !r.done; r = it.next()) {
        rows.push(r.value as Row);
        if (rows.length > inlineRows) break;
      }
    } catch (err) {
      throw normalizeError(err);
    }
    if (rows.length <= inlineRows) {
      yield rows;
      return;
    }
    it.return?.();
    let batch: Row[] = [];
    try {
      for await (const row of replica.iterate(q.sql, q.params, maxStreamMs)) {
        batch.push(row as Row);
        if (batch.length >= 256) {
          yield batch;
          batch = [];
        }
      }
    } catch (err) {
      throw normalizeError(err);
    }
    if (batch.length > 0) yield batch;
  }
}

/** The failure says the transaction certainly did not commit. */
function isDefinite(err: unknown): boolean {
  return (err as { definite?: unknown } | null)?.definite === true;
}

/**
 * A write's failure as the client must see it: definite, or an unknown outcome carrying the token that
 * recover() resolves. Any other error (a node stopping on a fatal storage error, say) becomes the latter.
 */
function withToken(err: unknown, token: Uint8Array): unknown {
  if (err instanceof CommitOutcomeUnknownError) return err;
  if (isDefinite(err)) return err;
  return new CommitOutcomeUnknownError(token, (err as Error).message);
}
