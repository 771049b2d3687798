import * as grpc from '@grpc/grpc-js';
import type { GrpcService } from '@walraft/raft';
import * as fs from 'node:fs';
import type { BackupChunk } from '../gen/walraft/client/v1/BackupChunk';
import type { BackupRequest__Output } from '../gen/walraft/client/v1/BackupRequest';
import type { HashReply } from '../gen/walraft/client/v1/HashReply';
import type { HashRequest__Output } from '../gen/walraft/client/v1/HashRequest';
import type { LeaderHint } from '../gen/walraft/client/v1/LeaderHint';
import type { OpenReply } from '../gen/walraft/client/v1/OpenReply';
import type { OpenRequest__Output } from '../gen/walraft/client/v1/OpenRequest';
import type { QueryReply } from '../gen/walraft/client/v1/QueryReply';
import type { QueryRequest__Output } from '../gen/walraft/client/v1/QueryRequest';
import type { RecoverReply } from '../gen/walraft/client/v1/RecoverReply';
import type { RecoverRequest__Output } from '../gen/walraft/client/v1/RecoverRequest';
import type { TransactionReply } from '../gen/walraft/client/v1/TransactionReply';
import type { TransactionRequest__Output } from '../gen/walraft/client/v1/TransactionRequest';
import type { WalraftHandlers } from '../gen/walraft/client/v1/Walraft';
import type { WriteReply } from '../gen/walraft/client/v1/WriteReply';
import type { WriteRequest__Output } from '../gen/walraft/client/v1/WriteRequest';
import type { Failure } from '../gen/walraft/client/v1/Failure';
import type { SessionReply } from '../gen/walraft/client/v1/SessionReply';
import type { SessionRequest__Output } from '../gen/walraft/client/v1/SessionRequest';
import { tokenBytes } from '@walraft/replication';
import { InvalidRequestError, toWireFailure } from '../errors';
import type { Backend, Consistency, PageHash, QuerySpec, Row, TxBackend } from '../types';
import { ClientMetadata, clientProto } from './proto';
import { decodeParams, decodeStatement, encodeResult, encodeRows } from './values';

/** What the client service needs from the node it runs on. */
export interface ServiceHost {
  readonly clusterId: string;
  readonly nodeId: number;
  /** The backend requests run on; `forwarded` requests must not be forwarded again. Undefined: not ready. */
  backend(forwarded: boolean): Backend | undefined;
  /** The leader this node knows of. */
  hint(): LeaderHint;
  /** This node's applied index and the hash of a database's pages (see NodeBackend.pageHash). */
  pageHash(db: string): Promise<PageHash>;
  /** A consistent copy of a database in a temporary file (the caller removes it). */
  backup(db: string): Promise<{ file: string; appliedIndex: number }>;
}

const consistencies: Record<string, Consistency> = { LINEARIZABLE: 'linearizable', WEAK: 'weak', NONE: 'none' };

function failure(err: unknown, host: ServiceHost): Failure {
  const f = toWireFailure(err, host.hint().leaderAddress ?? '');
  return {
    code: f.code,
    message: f.message,
    definite: f.definite,
    token: f.token,
    leader: f.leader,
    leaderAddress: f.leaderAddress,
  };
}

function checkToken(token: Uint8Array): void {
  if (token.length !== tokenBytes) {
    throw new InvalidRequestError(`a commit token is ${tokenBytes} bytes, not ${token.length}`);
  }
}

/**
 * Admits a call: answers with this node's identity and refuses a caller of another cluster. Returns the
 * backend the call runs on, or undefined when the call was refused.
 */
function admit(
  call:
    | grpc.ServerUnaryCall<unknown, unknown>
    | grpc.ServerWritableStream<unknown, unknown>
    | grpc.ServerDuplexStream<unknown, unknown>,
  host: ServiceHost,
  refuse: (e: Partial<grpc.StatusObject>) => void,
): Backend | undefined {
  const md = new grpc.Metadata();
  md.set(ClientMetadata.cluster, host.clusterId);
  md.set(ClientMetadata.node, String(host.nodeId));
  call.sendMetadata(md);
  const cluster = call.metadata.get(ClientMetadata.cluster)[0];
  if (cluster !== host.clusterId) {
    const trailer = new grpc.Metadata();
    trailer.set(ClientMetadata.errorCode, 'RAFT_CLUSTER_MISMATCH');
    refuse({
      code: grpc.status.FAILED_PRECONDITION,
      details:
        cluster === undefined
          ? 'refused: the call does not name its cluster (not a walraft client?)'
          : `refused: the caller belongs to cluster "${String(cluster)}", node ${host.nodeId} to cluster "${host.clusterId}"`,
      metadata: trailer,
    });
    return undefined;
  }
  const backend = host.backend(call.metadata.get(ClientMetadata.forwarded)[0] === '1');
  if (backend === undefined) refuse({ code: grpc.status.UNAVAILABLE, details: 'the node is starting or stopping' });
  return backend;
}

async function openOp(backend: Backend, r: OpenRequest__Output, host: ServiceHost): Promise<OpenReply> {
  try {
    await backend.open(r.db, r.create, r.pageSize || 4096);
    return { hint: host.hint() };
  } catch (err) {
    return { failure: failure(err, host), hint: host.hint() };
  }
}

async function writeOp(backend: Backend, r: WriteRequest__Output, host: ServiceHost): Promise<WriteReply> {
  try {
    checkToken(r.token);
    const results = await backend.write(r.db, r.token, r.statements.map(decodeStatement));
    return { results: results.map(encodeResult), hint: host.hint() };
  } catch (err) {
    return { failure: failure(err, host), hint: host.hint() };
  }
}

async function recoverOp(backend: Backend, r: RecoverRequest__Output, host: ServiceHost): Promise<RecoverReply> {
  try {
    checkToken(r.token);
    return { committed: await backend.recover(r.db, r.token), hint: host.hint() };
  } catch (err) {
    return { failure: failure(err, host), hint: host.hint() };
  }
}

/** The query spec of a request; `announce` is told before a statement that is not read-only runs. */
function querySpec(r: QueryRequest__Output, stream: boolean, onKind: (readonly: boolean) => void): QuerySpec {
  return {
    db: r.db,
    sql: r.sql,
    params: decodeParams(r.params, r.hasParams),
    consistency: consistencies[r.consistency] ?? 'linearizable',
    maxLag: Number(r.maxLag),
    token: r.token,
    stream,
    onKind: (readonly) => {
      if (!readonly) checkToken(r.token);
      onKind(readonly);
    },
  };
}

/** Largest row payload answered in one session message; a bigger read is streamed through Query instead. */
const sessionRowBytes = 4 << 20;

/** A query answered in one reply (after a `wrote` announcement for a write). */
async function queryOp(
  backend: Backend,
  r: QueryRequest__Output,
  host: ServiceHost,
  announce: (m: QueryReply) => void,
): Promise<QueryReply> {
  let readonly = false;
  try {
    const rows: Row[] = [];
    let bytes = 0;
    const spec = querySpec(r, false, (ro) => {
      readonly = ro;
      if (!ro) announce({ wrote: true, hint: host.hint() });
    });
    for await (const batch of backend.query(spec)) {
      for (const row of batch) {
        rows.push(row);
        bytes += rowBytes(row);
      }
      if (readonly && bytes > sessionRowBytes) return { readonly, streamInstead: true, hint: host.hint() };
    }
    return { readonly, ...encodeRows(rows), done: true, hint: host.hint() };
  } catch (err) {
    return { readonly, failure: failure(err, host), hint: host.hint() };
  }
}

function rowBytes(row: Row): number {
  let n = 0;
  for (const v of Object.values(row)) n += typeof v === 'string' ? v.length : v instanceof Uint8Array ? v.length : 9;
  return n;
}

/** Many requests on one stream, answered as they finish; the stream ends once the client's half is closed
 * and every request has been answered. */
function serveSession(
  call: grpc.ServerDuplexStream<SessionRequest__Output, SessionReply>,
  backend: Backend,
  host: ServiceHost,
): void {
  let inFlight = 0;
  let ended = false;
  const finish = (): void => {
    if (ended && inFlight === 0 && !call.cancelled && !call.destroyed) call.end();
  };
  /** Sends the reply once `p` settles; `failed` shapes the reply of an operation that threw after all. */
  const answer = (id: string, p: Promise<SessionReply>, failed: (f: Failure) => SessionReply): void => {
    inFlight++;
    void p
      // the operations turn their errors into replies: this is the last resort, never an unhandled rejection
      .catch((err: unknown) => failed({ code: 'WALRAFT_INTERNAL', message: (err as Error).message, definite: false }))
      .then((m) => {
        inFlight--;
        if (!call.cancelled && !call.destroyed) call.write({ ...m, id });
        finish();
      });
  };
  call.on('data', (m: SessionRequest__Output) => {
    switch (m.op) {
      case 'open':
        if (m.open)
          answer(
            m.id,
            openOp(backend, m.open, host).then((open) => ({ open })),
            (failure) => ({ open: { failure } }),
          );
        return;
      case 'write':
        if (m.write)
          answer(
            m.id,
            writeOp(backend, m.write, host).then((write) => ({ write })),
            (failure) => ({ write: { failure } }),
          );
        return;
      case 'recover':
        if (m.recover)
          answer(
            m.id,
            recoverOp(backend, m.recover, host).then((recover) => ({ recover })),
            (failure) => ({ recover: { failure } }),
          );
        return;
      case 'query': {
        const q = m.query;
        if (!q) return;
        const announce = (pre: QueryReply): void => {
          if (!call.cancelled && !call.destroyed) call.write({ id: m.id, query: pre });
        };
        answer(
          m.id,
          queryOp(backend, q, host, announce).then((query) => ({ query })),
          (failure) => ({ query: { failure } }),
        );
        return;
      }
      default:
        call.destroy(
          Object.assign(new Error('a session request without an operation'), { code: grpc.status.INVALID_ARGUMENT }),
        );
    }
  });
  call.on('end', () => {
    ended = true;
    finish();
  });
}

/** The client protocol (proto/client.proto) served on a node's port. */
export function clientService(host: ServiceHost): GrpcService {
  const destroyWith =
    (call: { destroy(e: Error): void }) =>
    (e: Partial<grpc.StatusObject>): void => {
      call.destroy(Object.assign(new Error(e.details), e));
    };
  const handlers: WalraftHandlers = {
    Session(call: grpc.ServerDuplexStream<SessionRequest__Output, SessionReply>) {
      const backend = admit(call, host, destroyWith(call));
      if (backend) serveSession(call, backend, host);
    },

    Open(call: grpc.ServerUnaryCall<OpenRequest__Output, OpenReply>, cb: grpc.sendUnaryData<OpenReply>) {
      const backend = admit(call, host, (e) => {
        cb(e);
      });
      if (backend)
        void openOp(backend, call.request, host).then((r) => {
          cb(null, r);
        });
    },

    Write(call: grpc.ServerUnaryCall<WriteRequest__Output, WriteReply>, cb: grpc.sendUnaryData<WriteReply>) {
      const backend = admit(call, host, (e) => {
        cb(e);
      });
      if (backend)
        void writeOp(backend, call.request, host).then((r) => {
          cb(null, r);
        });
    },

    Recover(call: grpc.ServerUnaryCall<RecoverRequest__Output, RecoverReply>, cb: grpc.sendUnaryData<RecoverReply>) {
      const backend = admit(call, host, (e) => {
        cb(e);
      });
      if (backend)
        void recoverOp(backend, call.request, host).then((r) => {
          cb(null, r);
        });
    },

    Hash(call: grpc.ServerUnaryCall<HashRequest__Output, HashReply>, cb: grpc.sendUnaryData<HashReply>) {
      const backend = admit(call, host, (e) => {
        cb(e);
      });
      if (!backend) return;
      host.pageHash(call.request.db).then(
        (h) => {
          cb(null, { appliedIndex: h.appliedIndex, hash: h.hash, hint: host.hint() });
        },
        (err: unknown) => {
          cb(null, { failure: failure(err, host), hint: host.hint() });
        },
      );
    },

    Backup(call: grpc.ServerWritableStream<BackupRequest__Output, BackupChunk>) {
      const backend = admit(call, host, destroyWith(call));
      if (backend) void streamBackup(call, host);
    },

    Query(call: grpc.ServerWritableStream<QueryRequest__Output, QueryReply>) {
      const backend = admit(call, host, destroyWith(call));
      if (backend) void streamQuery(call, backend, host);
    },

    Transaction(call: grpc.ServerDuplexStream<TransactionRequest__Output, TransactionReply>) {
      const backend = admit(call, host, destroyWith(call));
      if (backend) serveTransaction(call, backend, host);
    },
  };
  return { definition: clientProto().Walraft.service, implementation: handlers };
}

const backupChunkBytes = 1 << 20;

/** The backup file in chunks; it is removed afterwards whatever happens. */
async function streamBackup(
  call: grpc.ServerWritableStream<BackupRequest__Output, BackupChunk>,
  host: ServiceHost,
): Promise<void> {
  let file: string | undefined;
  try {
    const b = await host.backup(call.request.db);
    file = b.file;
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      let first = true;
      const buf = Buffer.alloc(backupChunkBytes);
      for (let at = 0; at < size || first;) {
        const n = fs.readSync(fd, buf, 0, buf.length, at);
        at += n;
        const chunk: BackupChunk = {
          data: Buffer.from(buf.subarray(0, n)),
          ...(first ? { size, appliedIndex: b.appliedIndex } : {}),
        };
        first = false;
        if (!(await send(call, chunk))) return;
        if (n === 0) break;
      }
    } finally {
      fs.closeSync(fd);
    }
    if (await send(call, { done: true })) call.end();
  } catch (err) {
    if (await send(call, { failure: failure(err, host) })) call.end();
  } finally {
    if (file) fs.rmSync(file, { force: true });
  }
}

/** Writes with backpressure; false when the caller has gone. */
async function send<T>(call: grpc.ServerWritableStream<unknown, T>, m: T): Promise<boolean> {
  if (call.cancelled || call.destroyed) return false;
  if (!call.write(m)) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        call.off('drain', done);
        call.off('cancelled', done);
        call.off('close', done);
        resolve();
      };
      call.on('drain', done);
      call.on('cancelled', done);
      call.on('close', done);
    });
  }
  return !(call.cancelled || call.destroyed);
}

/** Batches of a query as they are read; the first reply says whether it was a read or ran as a write. */
async function streamQuery(
  call: grpc.ServerWritableStream<QueryRequest__Output, QueryReply>,
  backend: Backend,
  host: ServiceHost,
): Promise<void> {
  const r = call.request;
  // Most queries answer in one message: the kind, the rows and `done` together. Only a write announces
  // itself before it runs, and a batch is held back until the next shows whether it is the last.
  let kind: QueryReply = {};
  let held: QueryReply | undefined;
  try {
    const rows = backend.query(
      querySpec(r, true, (readonly) => {
        if (readonly) {
          kind = { readonly: true, hint: host.hint() };
          return;
        }
        // before a write runs: a client that loses the stream after this knows the outcome is unknown
        call.write({ wrote: true, hint: host.hint() });
      }),
    );
    for await (const batch of rows) {
      if (batch.length === 0) continue;
      if (held && !(await send(call, held))) return;
      held = { ...kind, ...encodeRows(batch) };
      kind = {};
    }
    if (await send(call, { ...kind, ...held, done: true })) call.end();
  } catch (err) {
    if (held && !(await send(call, held))) return;
    if (await send(call, { ...kind, failure: failure(err, host), hint: host.hint() })) call.end();
  }
}

/**
 * One interactive transaction: requests handled one at a time, in order, one reply each. A stream that
 * ends (or breaks) before the commit rolls the transaction back.
 */
function serveTransaction(
  call: grpc.ServerDuplexStream<TransactionRequest__Output, TransactionReply>,
  backend: Backend,
  host: ServiceHost,
): void {
  let tx: TxBackend | undefined;
  let finished = false;
  let chain: Promise<void> = Promise.resolve();
  const reply = (m: TransactionReply): void => {
    if (!call.cancelled && !call.destroyed) call.write({ ...m, hint: host.hint() });
  };
  const abandon = (): void => {
    chain = chain.then(async () => {
      if (tx && !tx.ended) await tx.rollback().catch(() => undefined);
      finished = true;
    });
  };
  const handle = async (r: TransactionRequest__Output): Promise<void> => {
    if (finished) return;
    try {
      switch (r.op) {
        case 'begin': {
          if (tx) throw new InvalidRequestError('the transaction has already begun');
          const b = r.begin;
          if (!b) throw new InvalidRequestError('begin without a body');
          checkToken(b.token);
          tx = await backend.begin(b.db, b.token);
          reply({ begun: true });
          return;
        }
        case 'statement': {
          if (!tx) throw new InvalidRequestError('a statement before begin');
          if (!r.statement) throw new InvalidRequestError('a statement without a body');
          reply({ result: encodeResult(await tx.run(decodeStatement(r.statement))) });
          return;
        }
        case 'commit':
          if (!tx) throw new InvalidRequestError('commit before begin');
          finished = true;
          await tx.commit();
          reply({ committed: true });
          call.end();
          return;
        case 'rollback':
          finished = true;
          if (tx) await tx.rollback();
          reply({ rolledBack: true });
          call.end();
          return;
        default:
          throw new InvalidRequestError('a transaction request without an operation');
      }
    } catch (err) {
      reply({ failure: failure(err, host) });
      if (finished || tx === undefined || tx.ended) {
        finished = true;
        call.end();
      }
    }
  };
  call.on('data', (r: TransactionRequest__Output) => {
    chain = chain.then(() => handle(r));
  });
  call.on('end', abandon);
  call.on('cancelled', abandon);
  call.on('error', abandon);
}
