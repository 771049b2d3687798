import * as grpc from '@grpc/grpc-js';
import type { GrpcService } from '@walraft/raft';
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
import { tokenBytes } from '@walraft/replication';
import { InvalidRequestError, toWireFailure } from '../errors';
import type { Backend, Consistency, TxBackend } from '../types';
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

/** The client protocol (proto/client.proto) served on a node's port. */
export function clientService(host: ServiceHost): GrpcService {
  const handlers: WalraftHandlers = {
    Open(call: grpc.ServerUnaryCall<OpenRequest__Output, OpenReply>, cb: grpc.sendUnaryData<OpenReply>) {
      const backend = admit(call, host, (e) => {
        cb(e);
      });
      if (!backend) return;
      const r = call.request;
      backend.open(r.db, r.create, r.pageSize || 4096).then(
        () => {
          cb(null, { hint: host.hint() });
        },
        (err: unknown) => {
          cb(null, { failure: failure(err, host), hint: host.hint() });
        },
      );
    },

    Write(call: grpc.ServerUnaryCall<WriteRequest__Output, WriteReply>, cb: grpc.sendUnaryData<WriteReply>) {
      const backend = admit(call, host, (e) => {
        cb(e);
      });
      if (!backend) return;
      const r = call.request;
      Promise.resolve()
        .then(() => {
          checkToken(r.token);
          return backend.write(r.db, r.token, r.statements.map(decodeStatement));
        })
        .then(
          (results) => {
            cb(null, { results: results.map(encodeResult), hint: host.hint() });
          },
          (err: unknown) => {
            cb(null, { failure: failure(err, host), hint: host.hint() });
          },
        );
    },

    Recover(call: grpc.ServerUnaryCall<RecoverRequest__Output, RecoverReply>, cb: grpc.sendUnaryData<RecoverReply>) {
      const backend = admit(call, host, (e) => {
        cb(e);
      });
      if (!backend) return;
      const r = call.request;
      Promise.resolve()
        .then(() => {
          checkToken(r.token);
          return backend.recover(r.db, r.token);
        })
        .then(
          (committed) => {
            cb(null, { committed, hint: host.hint() });
          },
          (err: unknown) => {
            cb(null, { failure: failure(err, host), hint: host.hint() });
          },
        );
    },

    Query(call: grpc.ServerWritableStream<QueryRequest__Output, QueryReply>) {
      const backend = admit(call, host, (e) => call.destroy(Object.assign(new Error(e.details), e)));
      if (!backend) return;
      void streamQuery(call, backend, host);
    },

    Transaction(call: grpc.ServerDuplexStream<TransactionRequest__Output, TransactionReply>) {
      const backend = admit(call, host, (e) => call.destroy(Object.assign(new Error(e.details), e)));
      if (!backend) return;
      serveTransaction(call, backend, host);
    },
  };
  return { definition: clientProto().Walraft.service, implementation: handlers };
}

/** Writes with backpressure; false when the caller has gone. */
async function send(
  call: grpc.ServerWritableStream<QueryRequest__Output, QueryReply>,
  m: QueryReply,
): Promise<boolean> {
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
  try {
    const rows = backend.query({
      db: r.db,
      sql: r.sql,
      params: decodeParams(r.params, r.hasParams),
      consistency: consistencies[r.consistency] ?? 'linearizable',
      maxLag: Number(r.maxLag),
      token: r.token,
      onKind: (readonly) => {
        if (!readonly) checkToken(r.token);
        // before a write runs: a client that loses the stream after this knows the outcome is unknown
        call.write({ readonly, wrote: !readonly, hint: host.hint() });
      },
    });
    for await (const batch of rows) {
      if (batch.length === 0) continue;
      if (!(await send(call, encodeRows(batch)))) return;
    }
    if (await send(call, { done: true })) call.end();
  } catch (err) {
    if (await send(call, { failure: failure(err, host), hint: host.hint() })) call.end();
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
