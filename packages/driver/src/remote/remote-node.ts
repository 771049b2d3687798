import * as grpc from '@grpc/grpc-js';
import type { Failure__Output } from '../gen/walraft/client/v1/Failure';
import type { LeaderHint__Output } from '../gen/walraft/client/v1/LeaderHint';
import type { BackupChunk__Output } from '../gen/walraft/client/v1/BackupChunk';
import type { QueryRequest } from '../gen/walraft/client/v1/QueryRequest';
import type { SessionReply__Output } from '../gen/walraft/client/v1/SessionReply';
import type { SessionRequest } from '../gen/walraft/client/v1/SessionRequest';
import type { QueryReply__Output } from '../gen/walraft/client/v1/QueryReply';
import type { TransactionReply__Output } from '../gen/walraft/client/v1/TransactionReply';
import type { TransactionRequest } from '../gen/walraft/client/v1/TransactionRequest';
import type { WalraftClient } from '../gen/walraft/client/v1/Walraft';
import type { Statement, StatementResult } from '@walraft/replication';
import { CommitOutcomeUnknownError, TransactionTooLargeError } from '@walraft/replication';
import { ClusterMismatchError } from '@walraft/raft';
import { fromWireFailure, NodeUnavailableError, ProtocolError, TransactionAbortedError, ClosedError } from '../errors';
import type { Backend, PageHash, QuerySpec, Row, TxBackend } from '../types';
import { ClientMetadata, clientChannelOptions, clientProto, maxClientMessageBytes, requestMetadata } from './proto';
import { SessionStream } from './session';
import { decodeResult, decodeRows, encodeParams, encodeStatement } from './values';

export interface RemoteNodeOptions {
  readonly clusterId: string;
  /** The requests are forwarded by a node: the node receiving them must not forward them again. */
  readonly forwarded: boolean;
  /** Deadline of a write, a recover or one step of a transaction. Default 15 s. */
  readonly requestTimeoutMs?: number;
  /** How long to wait for a connection before a request fails as NodeUnavailableError. Default 2 s. */
  readonly connectTimeoutMs?: number;
  /** Called with every leader hint a reply carries. */
  readonly onHint?: (leader: number, address: string) => void;
  /** Which statements are read-only (learnt from replies), shared by a client's connections. */
  readonly statementKinds?: Map<string, boolean>;
}

const consistencyNames = { linearizable: 'LINEARIZABLE', weak: 'WEAK', none: 'NONE' } as const;
const maxRememberedStatements = 4096;

function wireFailure(f: Failure__Output): Error {
  return fromWireFailure({
    code: f.code,
    message: f.message,
    definite: f.definite,
    token: f.token,
    leader: f.leader,
    leaderAddress: f.leaderAddress,
  });
}

function clusterMismatch(err: grpc.ServiceError): ClusterMismatchError | undefined {
  const code = err.metadata?.get(ClientMetadata.errorCode)[0];
  return code === 'RAFT_CLUSTER_MISMATCH' ? new ClusterMismatchError(err.details) : undefined;
}

/** Checks a server's response metadata: a node of another cluster is refused. */
function checkServer(md: grpc.Metadata, clusterId: string): ClusterMismatchError | undefined {
  const cluster = md.get(ClientMetadata.cluster)[0];
  if (cluster === undefined)
    return new ClusterMismatchError('the server did not name its cluster (not a walraft node?)');
  if (cluster !== clusterId) {
    return new ClusterMismatchError(`the node belongs to cluster "${String(cluster)}", not to "${clusterId}"`);
  }
  return undefined;
}

interface Answered {
  failure: Failure__Output | null;
  hint: LeaderHint__Output | null;
}

/** The client protocol spoken to one node: every Backend operation as a gRPC call. */
export class RemoteNode implements Backend {
  readonly address: string;
  readonly #client: WalraftClient;
  readonly #o: Required<Omit<RemoteNodeOptions, 'onHint' | 'statementKinds'>> & RemoteNodeOptions;
  readonly #kinds: Map<string, boolean>;
  readonly #session: SessionStream;
  #closed = false;

  constructor(address: string, o: RemoteNodeOptions) {
    this.address = address;
    this.#o = { requestTimeoutMs: 15_000, connectTimeoutMs: 2_000, ...o };
    this.#kinds = o.statementKinds ?? new Map<string, boolean>();
    this.#client = new (clientProto().Walraft)(address, grpc.credentials.createInsecure(), clientChannelOptions());
    this.#session = new SessionStream(
      this.#client,
      () => this.#md(),
      (md) => checkServer(md, this.#o.clusterId),
    );
  }

  close(): void {
    this.#closed = true;
    this.#session.close();
    this.#client.close();
  }

  /**
   * Resolves once the channel is connected; NodeUnavailableError (nothing sent) when it cannot connect.
   * A connection that failed outright (refused or reset: the node is down) fails at once rather than after
   * the connect timeout, so the caller turns to another node while the cluster elects a new leader; only a
   * connection attempt still under way is waited for.
   */
  async #connected(): Promise<void> {
    if (this.#closed) throw new ClosedError('the connection');
    const ch = this.#client.getChannel();
    const deadline = Date.now() + this.#o.connectTimeoutMs;
    let state = ch.getConnectivityState(true);
    for (;;) {
      if (state === grpc.connectivityState.READY) return;
      if (state === grpc.connectivityState.TRANSIENT_FAILURE || state === grpc.connectivityState.SHUTDOWN) {
        throw new NodeUnavailableError(`${this.address}: not reachable`);
      }
      const from = state;
      state = await new Promise<grpc.connectivityState>((resolve, reject) => {
        ch.watchConnectivityState(from, deadline, (err) => {
          if (err)
            reject(new NodeUnavailableError(`${this.address}: no connection within ${this.#o.connectTimeoutMs} ms`));
          else resolve(ch.getConnectivityState(false));
        });
      });
    }
  }

  #md(): grpc.Metadata {
    return requestMetadata(this.#o.clusterId, this.#o.forwarded);
  }

  #hint(h: LeaderHint__Output | null): void {
    if (h && this.#o.onHint) this.#o.onHint(h.leader, h.leaderAddress);
  }

  #transportError(err: grpc.ServiceError, lost: (detail: string) => Error): Error {
    const m = clusterMismatch(err);
    if (m) return m;
    if (err.code === grpc.status.RESOURCE_EXHAUSTED && /sent message larger/i.test(err.details)) {
      return new TransactionTooLargeError(0, maxClientMessageBytes);
    }
    return lost(`node at ${this.address}: ${err.details || err.message}`);
  }

  /** One request on the session stream; `lost` says what losing it after sending means for it. */
  async #request<T extends Answered>(
    request: Omit<SessionRequest, 'id'>,
    pick: (r: SessionReply__Output) => T | null | undefined,
    lost: (detail: string) => Error,
  ): Promise<T> {
    await this.#connected();
    return new Promise<T>((resolve, reject) => {
      this.#session.send(
        request,
        {
          onReply: (r) => {
            const m = pick(r);
            if (!m) reject(new ProtocolError(`a session reply of the wrong kind (${String(r.op)})`));
            else {
              this.#hint(m.hint);
              if (m.failure) reject(wireFailure(m.failure));
              else resolve(m);
            }
            return true;
          },
          onLost: (why) => {
            reject(this.#lostError(why, lost));
          },
        },
        this.#o.requestTimeoutMs,
      );
    });
  }

  #lostError(why: Error, lost: (detail: string) => Error): Error {
    if (why instanceof ClusterMismatchError) return why;
    if (isServiceError(why)) return this.#transportError(why, lost);
    return lost(`node at ${this.address}: ${why.message}`);
  }

  async open(db: string, create: boolean, pageSize: number): Promise<void> {
    await this.#request(
      { open: { db, create, pageSize } },
      (r) => r.open,
      (d) => new NodeUnavailableError(d),
    );
  }

  async write(db: string, token: Uint8Array, statements: readonly Statement[]): Promise<readonly StatementResult[]> {
    const reply = await this.#request(
      { write: { db, token, statements: statements.map(encodeStatement) } },
      (r) => r.write,
      (d) => new CommitOutcomeUnknownError(token, `lost the ${d}`),
    );
    return reply.results.map(decodeResult);
  }

  async recover(db: string, token: Uint8Array): Promise<boolean> {
    const reply = await this.#request(
      { recover: { db, token } },
      (r) => r.recover,
      (d) => new NodeUnavailableError(d),
    );
    return reply.committed;
  }

  /** The node's applied index and the hash of the database's pages there (unary: a rare, slow call). */
  pageHash(db: string): Promise<PageHash> {
    return this.#connected().then(
      () =>
        new Promise<PageHash>((resolve, reject) => {
          this.#client.Hash({ db }, this.#md(), { deadline: Date.now() + this.#o.requestTimeoutMs }, (err, r) => {
            if (err) reject(this.#transportError(err, (d) => new NodeUnavailableError(d)));
            else if (r === undefined) reject(new ProtocolError('an empty reply'));
            else if (r.failure) reject(wireFailure(r.failure));
            else resolve({ appliedIndex: Number(r.appliedIndex), hash: r.hash });
          });
        }),
    );
  }

  /** Streams a consistent copy of the database into `fd`; resolves with the applied index it reflects. */
  async backup(db: string, write: (chunk: Buffer) => void): Promise<{ size: number; appliedIndex: number }> {
    await this.#connected();
    const call = this.#client.Backup({ db }, this.#md());
    let size = -1;
    let appliedIndex = 0;
    let written = 0;
    try {
      for await (const m of call as AsyncIterable<BackupChunk__Output>) {
        if (m.failure) throw wireFailure(m.failure);
        if (size < 0) {
          size = Number(m.size);
          appliedIndex = Number(m.appliedIndex);
        }
        if (m.data.length > 0) {
          write(m.data);
          written += m.data.length;
        }
        if (m.done) {
          if (written !== size) throw new ProtocolError(`the backup has ${written} bytes, the node announced ${size}`);
          return { size, appliedIndex };
        }
      }
    } catch (err) {
      if (isServiceError(err)) throw this.#transportError(err, (d) => new NodeUnavailableError(d));
      throw err;
    }
    throw new ProtocolError('the backup stream ended early');
  }

  #remember(key: string, readonly: boolean): void {
    if (this.#kinds.size >= maxRememberedStatements) this.#kinds.clear();
    this.#kinds.set(key, readonly);
  }

  #queryRequest(q: QuerySpec): QueryRequest {
    return {
      db: q.db,
      sql: q.sql,
      ...encodeParams(q.params),
      consistency: consistencyNames[q.consistency],
      maxLag: String(q.maxLag),
      token: q.token,
    };
  }

  /** A query answered in one session reply; undefined when the node asks for it to be streamed instead. */
  async #queryOnce(q: QuerySpec): Promise<Row[] | undefined> {
    await this.#connected();
    const key = `${q.db}\u0000${q.sql}`;
    let readonly = this.#kinds.get(key);
    return new Promise<Row[] | undefined>((resolve, reject) => {
      this.#session.send(
        { query: this.#queryRequest(q) },
        {
          onReply: (r) => {
            const m = r.query;
            if (!m) {
              reject(new ProtocolError(`a session reply of the wrong kind (${String(r.op)})`));
              return true;
            }
            this.#hint(m.hint);
            if (m.readonly || m.wrote) {
              readonly = m.readonly;
              this.#remember(key, readonly);
              q.onKind?.(readonly);
            }
            if (m.failure) reject(wireFailure(m.failure));
            else if (m.streamInstead) resolve(undefined);
            else if (m.done) {
              try {
                resolve(decodeRows(m.columns, m.rows));
              } catch (err) {
                reject(err instanceof Error ? err : new ProtocolError(String(err)));
              }
            } else return false; // the announcement of a write: its result follows
            return true;
          },
          onLost: (why) => {
            reject(
              this.#lostError(why, (d) =>
                readonly === true
                  ? new NodeUnavailableError(d)
                  : new CommitOutcomeUnknownError(q.token, `lost the ${d} (the statement may have been a write)`),
              ),
            );
          },
        },
        this.#o.requestTimeoutMs,
      );
    });
  }

  async *query(q: QuerySpec): AsyncGenerator<readonly Row[]> {
    if (!q.stream) {
      const rows = await this.#queryOnce(q);
      if (rows !== undefined) {
        yield rows;
        return;
      }
    }
    yield* this.#queryStream(q);
  }

  /** A query whose rows arrive in batches on a stream of its own. */
  async *#queryStream(q: QuerySpec): AsyncGenerator<readonly Row[]> {
    await this.#connected();
    const key = `${q.db}\u0000${q.sql}`;
    let readonly = this.#kinds.get(key);
    const call = this.#client.Query(this.#queryRequest(q), this.#md());
    let mismatch: Error | undefined;
    call.on('metadata', (md: grpc.Metadata) => {
      mismatch = checkServer(md, this.#o.clusterId);
      if (mismatch) call.cancel();
    });
    let done = false;
    try {
      for await (const m of call as AsyncIterable<QueryReply__Output>) {
        if (m.readonly || m.wrote) {
          readonly = m.readonly;
          q.onKind?.(readonly);
          this.#remember(key, readonly);
        }
        this.#hint(m.hint);
        if (m.failure) throw wireFailure(m.failure);
        if (m.rows.length > 0) yield decodeRows(m.columns, m.rows);
        if (m.done) {
          done = true;
          break;
        }
      }
    } catch (err) {
      if (mismatch) throw mismatch;
      if (!isServiceError(err)) throw err;
      throw this.#transportError(err, (d) =>
        readonly === true
          ? new NodeUnavailableError(d)
          : new CommitOutcomeUnknownError(q.token, `lost the ${d} (the statement may have been a write)`),
      );
    } finally {
      if (!done) call.cancel();
    }
    if (mismatch) throw mismatch;
    if (!done) throw new ProtocolError('a query reply stream ended early');
  }

  async begin(db: string, token: Uint8Array): Promise<TxBackend> {
    await this.#connected();
    const tx = new RemoteTransaction(
      this.#client,
      this.#md(),
      token,
      this.#o.requestTimeoutMs,
      this.#o.clusterId,
      (h) => {
        this.#hint(h);
      },
    );
    await tx.begin(db);
    return tx;
  }
}

function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number' && 'details' in err;
}

interface Pending {
  readonly op: 'begin' | 'statement' | 'commit' | 'rollback';
  resolve(r: TransactionReply__Output): void;
  reject(e: Error): void;
}

/** An interactive transaction on a node, over one bidirectional stream; steps answered in order. */
class RemoteTransaction implements TxBackend {
  readonly #call: grpc.ClientDuplexStream<TransactionRequest, TransactionReply__Output>;
  readonly #token: Uint8Array;
  readonly #timeoutMs: number;
  readonly #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #ended: Error | undefined;

  constructor(
    client: WalraftClient,
    md: grpc.Metadata,
    token: Uint8Array,
    timeoutMs: number,
    clusterId: string,
    onHint: (h: LeaderHint__Output | null) => void,
  ) {
    this.#token = token;
    this.#timeoutMs = timeoutMs;
    this.#call = client.Transaction(md);
    this.#call.on('metadata', (m: grpc.Metadata) => {
      const mismatch = checkServer(m, clusterId);
      if (mismatch) this.#fail(mismatch);
    });
    this.#call.on('data', (r: TransactionReply__Output) => {
      onHint(r.hint);
      const p = this.#pending.shift();
      if (p === undefined) {
        this.#fail(new ProtocolError('an unexpected transaction reply'));
        return;
      }
      this.#rearm();
      if (r.failure) p.reject(wireFailure(r.failure));
      else p.resolve(r);
    });
    this.#call.on('error', (err: grpc.ServiceError) => {
      this.#fail(clusterMismatch(err) ?? new Error(err.details || err.message));
    });
    this.#call.on('end', () => {
      this.#fail(new Error('the node ended the transaction stream'));
    });
  }

  get ended(): boolean {
    return this.#ended !== undefined;
  }

  #rearm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#fail(new Error(`no answer within ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
  }

  /** The stream is gone: a commit in flight has an unknown outcome; anything else was rolled back. */
  #fail(why: Error): void {
    if (this.#ended) return;
    const commitInFlight = this.#pending.some((p) => p.op === 'commit');
    this.#ended =
      why instanceof ClusterMismatchError
        ? why
        : commitInFlight
          ? new CommitOutcomeUnknownError(this.#token, why.message)
          : new TransactionAbortedError(this.#token, why.message);
    if (this.#timer) clearTimeout(this.#timer);
    this.#call.cancel();
    for (const p of this.#pending.splice(0)) p.reject(this.#ended);
  }

  #send(op: Pending['op'], req: TransactionRequest): Promise<TransactionReply__Output> {
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise<TransactionReply__Output>((resolve, reject) => {
      this.#pending.push({ op, resolve, reject });
      if (this.#pending.length === 1) this.#rearm();
      this.#call.write(req);
    });
  }

  async begin(db: string): Promise<void> {
    await this.#send('begin', { begin: { db, token: this.#token } });
  }

  async run(statement: Statement): Promise<StatementResult> {
    const r = await this.#send('statement', { statement: encodeStatement(statement) });
    if (!r.result) throw new ProtocolError('a transaction statement without a result');
    return decodeResult(r.result);
  }

  async commit(): Promise<void> {
    try {
      await this.#send('commit', { commit: true });
    } finally {
      this.#close();
    }
  }

  async rollback(): Promise<void> {
    if (this.#ended) return;
    try {
      await this.#send('rollback', { rollback: true });
    } catch (err) {
      // the stream broke: the node rolls back a transaction whose stream ends without a commit
      if (!(err instanceof TransactionAbortedError)) throw err;
    } finally {
      this.#close();
    }
  }

  #close(): void {
    if (!this.#ended) this.#ended = new ClosedError('the transaction');
    if (this.#timer) clearTimeout(this.#timer);
    this.#call.end();
  }
}
