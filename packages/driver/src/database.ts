import type BetterSqlite3 from 'better-sqlite3';
import type { ClusterNode } from '@walraft/raft';
import type {
  DatabaseReplica,
  InteractiveTransaction,
  ReplicatedSqlite,
  Statement as Sql,
  StatementResult,
} from '@walraft/replication';
import { newToken, NotLeaderError, ReplicationClosedError } from '@walraft/replication';
import { TimeoutError } from './errors';

/** Statement parameters: positional (an array) or named (an object), as in better-sqlite3. */
export type Params = readonly unknown[] | Readonly<Record<string, unknown>>;

/**
 * How fresh a read must be. `linearizable` (default): it sees every write acknowledged before it started
 * (ReadIndex); `weak`: the leader's local state; `none`: this node's replica, which may lag.
 */
export type Consistency = 'linearizable' | 'weak' | 'none';

export interface ReadOptions {
  readonly consistency?: Consistency;
}

export interface RunResult {
  readonly changes: number;
  readonly lastInsertRowid: number | bigint;
  /** The commit token of the write: `recover(token)` tells whether it committed. */
  readonly token: Uint8Array;
}

export type Row = Record<string, unknown>;

const maxStreamMs = 30_000;

function statement(sql: string, params: Params | undefined, mode: Sql['mode']): Sql {
  return params === undefined ? { sql, mode } : { sql, params, mode };
}

/** A replicated database opened on an embedded node. Writes run on the leader; reads per consistency level. */
export class Database {
  readonly name: string;
  readonly #node: ClusterNode;
  readonly #sm: ReplicatedSqlite;
  #closed = false;

  /** @internal */
  constructor(name: string, node: ClusterNode, sm: ReplicatedSqlite) {
    this.name = name;
    this.#node = node;
    this.#sm = sm;
  }

  #replica(): DatabaseReplica {
    if (this.#closed) throw new ReplicationClosedError(`database ${this.name}`);
    return this.#sm.database(this.name);
  }

  async #write(statements: readonly Sql[]): Promise<{ results: readonly StatementResult[]; token: Uint8Array }> {
    this.#replica();
    const token = newToken();
    const results = await this.#sm.write(this.name, { token, statements });
    return { results, token };
  }

  /** Waits until this node may serve a read at the requested consistency. */
  async #readable(consistency: Consistency): Promise<BetterSqlite3.Database> {
    const replica = this.#replica();
    if (consistency === 'linearizable') {
      try {
        await this.#node.readIndex();
      } catch (err) {
        const e = err as Error & { code?: string };
        if (e.code === 'RAFT_READ_TIMEOUT') throw new TimeoutError('the linearizable read');
        throw err;
      }
    } else if (consistency === 'weak') {
      const s = this.#node.status();
      if (s.role !== 'leader') throw new NotLeaderError(s.lead);
    }
    return replica.reader();
  }

  /** Whether a statement only reads (reads follow the consistency level; anything else is a write). */
  #isRead(sql: string): boolean {
    return this.#replica().reader().prepare(sql).readonly;
  }

  /** Runs one or more statements without parameters or results, as one transaction. */
  async exec(sql: string): Promise<{ token: Uint8Array }> {
    const { token } = await this.#write([statement(sql, undefined, 'exec')]);
    return { token };
  }

  async run(sql: string, params?: Params): Promise<RunResult> {
    const { results, token } = await this.#write([statement(sql, params, 'run')]);
    const r = results[0];
    return { changes: r?.changes ?? 0, lastInsertRowid: r?.lastInsertRowid ?? 0, token };
  }

  async all(sql: string, params?: Params, options: ReadOptions = {}): Promise<Row[]> {
    if (!this.#isRead(sql)) {
      const { results } = await this.#write([statement(sql, params, 'all')]);
      return (results[0]?.rows ?? []) as Row[];
    }
    const db = await this.#readable(options.consistency ?? 'linearizable');
    const st = db.prepare(sql);
    const args: unknown[] =
      params === undefined ? [] : Array.isArray(params) ? [...(params as readonly unknown[])] : [params];
    return st.all(...args) as Row[];
  }

  async get(sql: string, params?: Params, options: ReadOptions = {}): Promise<Row | undefined> {
    const rows = await this.all(sql, params, options);
    return rows[0];
  }

  /** Streams a query's rows in batches; the read transaction is bounded (ReadTransactionTimeoutError). */
  async *iterate(sql: string, params?: Params, options: ReadOptions = {}): AsyncGenerator<Row> {
    await this.#readable(options.consistency ?? 'linearizable');
    for await (const row of this.#replica().iterate(sql, params, maxStreamMs)) yield row as Row;
  }

  prepare(sql: string): PreparedStatement {
    return new PreparedStatement(this, sql);
  }

  /** Runs statements atomically, as one transaction; results in order. */
  async batch(statements: readonly { sql: string; params?: Params }[]): Promise<RunResult[]> {
    const { results, token } = await this.#write(statements.map((s) => statement(s.sql, s.params, 'run')));
    return results.map((r) => ({ changes: r.changes, lastInsertRowid: r.lastInsertRowid, token }));
  }

  /** Opens an interactive transaction on the leader; it holds the writer until commit or rollback. */
  async begin(): Promise<Transaction> {
    this.#replica();
    const token = newToken();
    return new Transaction(await this.#sm.begin(this.name, token), token);
  }

  /** Runs fn in a transaction: commits when it returns, rolls back when it throws. */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const tx = await this.begin();
    let value: T;
    try {
      value = await fn(tx);
    } catch (err) {
      await tx.rollback().catch(() => undefined);
      throw err;
    }
    await tx.commit();
    return value;
  }

  /** Whether the write with this token committed: true or false, final (on the leader). */
  recover(token: Uint8Array): Promise<boolean> {
    return this.#sm.recover(this.name, token);
  }

  /** Synchronous reads on this node's replica: fast, and as stale as the replica (see appliedIndex). */
  get local(): LocalReader {
    const replica = this.#replica();
    const node = this.#node;
    return {
      prepare: (sql: string) => replica.reader().prepare(sql),
      get appliedIndex() {
        return node.raftNode.appliedIndex();
      },
    };
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export interface LocalReader {
  prepare(sql: string): BetterSqlite3.Statement;
  readonly appliedIndex: number;
}

/** A statement bound to its SQL; the same methods as the database. */
export class PreparedStatement {
  constructor(
    private readonly db: Database,
    readonly sql: string,
  ) {}
  run(params?: Params): Promise<RunResult> {
    return this.db.run(this.sql, params);
  }
  get(params?: Params, options?: ReadOptions): Promise<Row | undefined> {
    return this.db.get(this.sql, params, options);
  }
  all(params?: Params, options?: ReadOptions): Promise<Row[]> {
    return this.db.all(this.sql, params, options);
  }
  iterate(params?: Params, options?: ReadOptions): AsyncGenerator<Row> {
    return this.db.iterate(this.sql, params, options);
  }
}

/** An interactive transaction; its token is known from the start. */
export class Transaction {
  readonly token: Uint8Array;
  readonly #tx: InteractiveTransaction;

  /** @internal */
  constructor(tx: InteractiveTransaction, token: Uint8Array) {
    this.#tx = tx;
    this.token = token;
  }

  async run(sql: string, params?: Params): Promise<Omit<RunResult, 'token'>> {
    const r = await this.#tx.run(statement(sql, params, 'run'));
    return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }

  async all(sql: string, params?: Params): Promise<Row[]> {
    const r = await this.#tx.run(statement(sql, params, 'all'));
    return (r.rows ?? []) as Row[];
  }

  async get(sql: string, params?: Params): Promise<Row | undefined> {
    return (await this.all(sql, params))[0];
  }

  async exec(sql: string): Promise<void> {
    await this.#tx.run(statement(sql, undefined, 'exec'));
  }

  async commit(): Promise<{ token: Uint8Array }> {
    await this.#tx.commit();
    return { token: this.token };
  }

  rollback(): Promise<void> {
    return this.#tx.rollback();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#tx.ended) await this.rollback();
  }
}
