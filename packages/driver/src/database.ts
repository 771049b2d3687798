import type BetterSqlite3 from 'better-sqlite3';
import type { Statement as Sql, StatementResult } from '@walraft/replication';
import { InvalidParameterError, newToken, ReplicationClosedError } from '@walraft/replication';
import { normalizeError } from './errors';
import { retryDefinite } from './retry';
import type { Backend, Consistency, Params, ReadOptions, Row, RunResult, TxBackend } from './types';

export interface DatabaseOptions {
  /** Consistency of reads that do not name one. Default `linearizable`. */
  readonly consistency?: Consistency;
  /**
   * How long a request whose failure is definite (not the leader, no leader yet, node unreachable) is
   * retried, with the same commit token, before the failure is thrown. 0: never retried. Default 10 s.
   */
  readonly retryTimeoutMs?: number;
}

/** Array.isArray without narrowing the declared type to any[]. */
function isArray(v: unknown): boolean {
  return Array.isArray(v);
}

function checkValue(v: unknown): void {
  if (v === null || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return;
  if (v instanceof Uint8Array) return;
  throw new InvalidParameterError(
    `SQLite can only bind numbers, strings, bigints, buffers and null; got ${v === undefined ? 'undefined' : typeof v}`,
  );
}

/** A statement with its parameters checked here, so that embedded and remote handles refuse the same input. */
function statement(sql: string, params: Params | undefined, mode: Sql['mode']): Sql {
  if (typeof sql !== 'string') throw new InvalidParameterError('the SQL must be a string');
  if (params === undefined) return { sql, mode };
  if (Array.isArray(params)) (params as readonly unknown[]).forEach(checkValue);
  else if (typeof params === 'object' && params !== null && !(params instanceof Uint8Array)) {
    Object.values(params).forEach(checkValue);
  } else throw new InvalidParameterError('parameters must be an array (positional) or a plain object (named)');
  return { sql, params, mode };
}

/**
 * A replicated database: writes commit through the Raft leader and are acknowledged once a quorum has
 * them; reads follow the consistency level. Opened with `node.open()` (embedded) or `client.open()`
 * (remote); both behave the same.
 */
export class Database {
  readonly name: string;
  readonly #backend: Backend;
  readonly #consistency: Consistency;
  readonly #retryMs: number;
  #closed = false;

  /** @internal */
  constructor(name: string, backend: Backend, options: DatabaseOptions = {}) {
    this.name = name;
    this.#backend = backend;
    this.#consistency = options.consistency ?? 'linearizable';
    this.#retryMs = options.retryTimeoutMs ?? 10_000;
  }

  #check(): void {
    if (this.#closed) throw new ReplicationClosedError(`database ${this.name}`);
  }

  /** Runs op; a definite, transient failure is retried (same token) until the retry window closes. */
  #retry<T>(op: () => Promise<T>): Promise<T> {
    this.#check();
    return retryDefinite(op, this.#retryMs, () => this.#closed);
  }

  async #write(statements: readonly Sql[]): Promise<{ results: readonly StatementResult[]; token: Uint8Array }> {
    const token = newToken();
    const results = await this.#retry(() => this.#backend.write(this.name, token, statements));
    return { results, token };
  }

  /** Runs one or more statements without parameters or results, as one transaction. */
  async exec(sql: string): Promise<{ token: Uint8Array }> {
    const { token } = await this.#write([statement(sql, undefined, 'exec')]);
    return { token };
  }

  /** Runs one statement as a write transaction. */
  async run(sql: string, params?: Params): Promise<RunResult> {
    const { results, token } = await this.#write([statement(sql, params, 'run')]);
    const r = results[0];
    return { changes: r?.changes ?? 0, lastInsertRowid: r?.lastInsertRowid ?? 0, token };
  }

  /** Every row of a query. A statement that is not read-only (e.g. `INSERT … RETURNING`) runs as a write. */
  async all(sql: string, params?: Params, options: ReadOptions = {}): Promise<Row[]> {
    statement(sql, params, 'all');
    const spec = {
      db: this.name,
      sql,
      params,
      consistency: options.consistency ?? this.#consistency,
      maxLag: options.maxLag ?? 0,
      token: newToken(),
      stream: false,
    };
    return this.#retry(async () => {
      const rows: Row[] = [];
      for await (const batch of this.#backend.query(spec)) for (const r of batch) rows.push(r);
      return rows;
    });
  }

  /** The first row of a query, or undefined. */
  async get(sql: string, params?: Params, options: ReadOptions = {}): Promise<Row | undefined> {
    const rows = await this.all(sql, params, options);
    return rows[0];
  }

  /**
   * Streams a query's rows (large results arrive in batches). The read transaction behind it is bounded
   * in time (ReadTransactionTimeoutError): consume promptly or page with LIMIT/OFFSET.
   */
  async *iterate(sql: string, params?: Params, options: ReadOptions = {}): AsyncGenerator<Row> {
    statement(sql, params, 'all');
    const spec = {
      db: this.name,
      sql,
      params,
      consistency: options.consistency ?? this.#consistency,
      maxLag: options.maxLag ?? 0,
      token: newToken(),
      stream: true,
    };
    // retried only until the first batch arrives: after that the caller has seen rows
    let it: AsyncIterator<readonly Row[]> | undefined;
    const first = await this.#retry(async () => {
      it?.return?.().catch(() => undefined);
      it = this.#backend.query(spec)[Symbol.asyncIterator]();
      return it.next();
    });
    const rest = it as unknown as AsyncIterator<readonly Row[]>;
    try {
      for (let r = first; !r.done; r = await rest.next()) {
        this.#check();
        for (const row of r.value) yield row;
      }
    } catch (err) {
      throw normalizeError(err);
    } finally {
      await rest.return?.().catch(() => undefined);
    }
  }

  prepare(sql: string): PreparedStatement {
    statement(sql, undefined, 'all');
    return new PreparedStatement(this, sql);
  }

  /** Runs statements atomically, as one transaction; results in order. */
  async batch(statements: readonly { sql: string; params?: Params }[]): Promise<RunResult[]> {
    if (!isArray(statements)) throw new InvalidParameterError('batch takes an array of { sql, params }');
    const { results, token } = await this.#write(statements.map((s) => statement(s.sql, s.params, 'run')));
    return results.map((r) => ({ changes: r.changes, lastInsertRowid: r.lastInsertRowid, token }));
  }

  /** Opens an interactive transaction on the leader; it holds the writer until commit or rollback. */
  async begin(): Promise<Transaction> {
    const token = newToken();
    const tx = await this.#retry(() => this.#backend.begin(this.name, token));
    return new Transaction(tx, token);
  }

  /** Runs fn in a transaction: commits when it returns, rolls back when it throws. fn runs once. */
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

  /**
   * Whether the write with this token committed: true, or false (it did not, and now never will). Final;
   * answered by the leader after every entry that could still commit has been applied.
   */
  recover(token: Uint8Array): Promise<boolean> {
    return this.#retry(() => this.#backend.recover(this.name, token));
  }

  /** Further calls fail with ClosedError; calls in flight finish. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  get closed(): boolean {
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Synchronous reads on an embedded node's replica: better-sqlite3 statements, as stale as `appliedIndex`. */
export interface LocalReader {
  prepare(sql: string): BetterSqlite3.Statement;
  /** The Raft index this replica reflects. */
  readonly appliedIndex: number;
}

/** A database opened on an embedded node: also offers `local`, synchronous reads of this node's replica. */
export class EmbeddedDatabase extends Database {
  readonly #local: () => LocalReader;

  /** @internal */
  constructor(name: string, backend: Backend, local: () => LocalReader, options: DatabaseOptions = {}) {
    super(name, backend, options);
    this.#local = local;
  }

  /** Synchronous reads on this node's replica: fast, and as stale as the replica (see appliedIndex). */
  get local(): LocalReader {
    if (this.closed) throw new ReplicationClosedError(`database ${this.name}`);
    return this.#local();
  }
}

/** A statement bound to its SQL; the same methods as the database. */
export class PreparedStatement {
  /** @internal */
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
  readonly #tx: TxBackend;

  /** @internal */
  constructor(tx: TxBackend, token: Uint8Array) {
    this.#tx = tx;
    this.token = token;
  }

  async run(sql: string, params?: Params): Promise<Omit<RunResult, 'token'>> {
    const r = await this.#step(statement(sql, params, 'run'));
    return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }

  async all(sql: string, params?: Params): Promise<Row[]> {
    const r = await this.#step(statement(sql, params, 'all'));
    return (r.rows ?? []) as Row[];
  }

  async get(sql: string, params?: Params): Promise<Row | undefined> {
    return (await this.all(sql, params))[0];
  }

  async exec(sql: string): Promise<void> {
    await this.#step(statement(sql, undefined, 'exec'));
  }

  async #step(s: Sql): Promise<StatementResult> {
    try {
      return await this.#tx.run(s);
    } catch (err) {
      throw normalizeError(err);
    }
  }

  /** Commits; resolves once a quorum has the transaction. */
  async commit(): Promise<{ token: Uint8Array }> {
    await this.#tx.commit();
    return { token: this.token };
  }

  rollback(): Promise<void> {
    return this.#tx.rollback();
  }

  get ended(): boolean {
    return this.#tx.ended;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#tx.ended) await this.rollback();
  }
}
