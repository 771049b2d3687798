import type { Statement, StatementResult } from '@walraft/replication';

/** Statement parameters: positional (an array) or named (an object), as in better-sqlite3. */
export type Params = readonly unknown[] | Readonly<Record<string, unknown>>;

export type Row = Record<string, unknown>;

/**
 * How fresh a read must be. `linearizable` (default): it sees every write acknowledged before it started
 * (ReadIndex, on the leader or on a follower); `weak`: the leader's local state without a quorum check;
 * `none`: the replica of the node serving it, which may lag (bounded by `maxLag` when given).
 */
export type Consistency = 'linearizable' | 'weak' | 'none';

export interface ReadOptions {
  readonly consistency?: Consistency;
  /** With `none`: fail with ReplicaLagError when the replica is more than this many entries behind. */
  readonly maxLag?: number;
}

export interface RunResult {
  readonly changes: number;
  readonly lastInsertRowid: number | bigint;
  /** The commit token of the write: `recover(token)` tells whether it committed. */
  readonly token: Uint8Array;
}

/** A query as a backend runs it. */
export interface QuerySpec {
  readonly db: string;
  readonly sql: string;
  readonly params: Params | undefined;
  readonly consistency: Consistency;
  readonly maxLag: number;
  /** The rows are consumed as a stream (iterate) rather than all at once (all/get). */
  readonly stream: boolean;
  /** The token the statement commits with if it turns out not to be read-only. */
  readonly token: Uint8Array;
  /** Told whether the statement is read-only once that is known, before it runs (a write may throw here). */
  readonly onKind?: (readonly: boolean) => void;
}

/** An interactive transaction as a backend holds it. */
export interface TxBackend {
  run(statement: Statement): Promise<StatementResult>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  readonly ended: boolean;
}

/**
 * Where a Database's requests go: the node it is embedded in (which forwards to the leader when it is not
 * the leader), or a remote node over gRPC.
 */
export interface Backend {
  open(db: string, create: boolean, pageSize: number): Promise<void>;
  write(db: string, token: Uint8Array, statements: readonly Statement[]): Promise<readonly StatementResult[]>;
  /** Rows in batches. A statement that is not read-only runs as a write with the spec's token. */
  query(q: QuerySpec): AsyncIterable<readonly Row[]>;
  begin(db: string, token: Uint8Array): Promise<TxBackend>;
  recover(db: string, token: Uint8Array): Promise<boolean>;
}

/** A node's applied index and the SHA-256 of a database's pages there. */
export interface PageHash {
  readonly appliedIndex: number;
  readonly hash: string;
}
