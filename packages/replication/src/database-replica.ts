import * as crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Logger } from '@walraft/raft';
import type { CapturedTransaction } from '@walraft/vfs';
import { CommitGate, openDatabase } from '@walraft/vfs';
import type { FramesEntry } from './entries';
import { encodeFramesChecked } from './entries';
import {
  CommitOutcomeUnknownError,
  InvalidParameterError,
  ReadTransactionTimeoutError,
  NotLeaderError,
  ReplicaDivergedError,
  ReplicationClosedError,
  SqliteError,
  TokenReusedError,
  TransactionIdleTimeoutError,
} from './errors';
import { tokenHex } from './tokens';
import type {
  CheckpointReport,
  FromWriter,
  GroupRequest,
  RequestOutcome,
  SnapshotOpened,
  SqlParams,
  Statement,
  StatementResult,
  WireError,
} from './writer/protocol';
import { tokenTable } from './writer/protocol';
import { WriterError, WriterThread } from './writer/writer-thread';

/** What a database replica needs from the node around it. */
export interface ReplicaHost {
  /** Resolves once this node may write in its current term; rejects with NotLeaderError. */
  awaitWritable(): Promise<void>;
  /** Whether this node is still the leader that may write (checked again right before proposing). */
  writable(): boolean;
  proposeEntry(bytes: Uint8Array): Promise<unknown>;
  /** A fresh proposal id of this process incarnation. */
  newProposalId(): Uint8Array;
  /** The leader's clock (ms), written into token rows and entries. */
  leaderNow(): number;
  /** An outcome is unknown: the next write must wait for a barrier proposed after it. */
  markUncertain(): void;
  readonly maxEntryBytes: number;
  readonly maxGroupRequests: number;
  readonly idleTransactionMs: number;
  /** Token rows older than this are pruned (leader clock). */
  readonly tokenRetentionMs: number;
  readonly logger: Logger;
}

/** A request that is exactly VACUUM: SQLite runs it as a transaction of its own. */
function isVacuum(req: GroupRequest): boolean {
  const only = req.statements.length === 1 ? req.statements[0] : undefined;
  return only !== undefined && req.tombstone !== true && /^\s*VACUUM(\s+main)?\s*;?\s*$/i.test(only.sql);
}

interface Waiter {
  readonly req: GroupRequest;
  readonly resolve: (r: readonly StatementResult[]) => void;
  readonly reject: (err: Error) => void;
}

type ProposalSettlement = { readonly ok: true } | { readonly ok: false; readonly err: Error & { definite?: boolean } };

/** The commit of a group or interactive transaction, from its COMMIT to the verdict. */
interface InFlight {
  readonly id: Uint8Array;
  readonly tokens: readonly Uint8Array[];
  done: Promise<Extract<FromWriter, { kind: 'committed' }>> | undefined;
  prepared: Extract<FromWriter, { kind: 'prepared' }> | undefined;
  capture: CapturedTransaction | undefined;
  verdictGiven: boolean;
  /** A foreign entry for this database was applied while this commit was open: it must not be proposed. */
  superseded: boolean;
  notProposed: Error | undefined;
  proposal: Promise<ProposalSettlement> | undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** A request's failure as the caller sees it; `token` names the request's token. */
function sqlError(e: WireError, token: Uint8Array): Error {
  if (e.code === 'WALRAFT_TOKEN_REUSED') return new TokenReusedError(token);
  if (e.code === 'WALRAFT_INVALID_PARAMETER') return new InvalidParameterError(e.message);
  return new SqliteError(e.code, e.message);
}

/** A simple FIFO mutex: the writer runs one group or interactive transaction at a time. */
class WriterLock {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

/**
 * One replicated database on this node: its writer thread, its commit gate, the leader's group commit and
 * interactive transactions, and the apply of committed transactions.
 */
export class DatabaseReplica {
  readonly name: string;
  readonly path: string;
  readonly #host: ReplicaHost;
  readonly #writer: WriterThread;
  readonly #gate: CommitGate;
  readonly #lock = new WriterLock();
  #reader: Database.Database | undefined;
  /** This database's transaction number as applied here. */
  #seq: number;
  #queue: Waiter[] = [];
  #pumping = false;
  #inflight: InFlight | undefined;
  /** Tokens of requests queued or running here, settled when their outcome is known. */
  readonly #pendingTokens = new Map<string, Promise<unknown>>();
  #interactive: InteractiveTransaction | undefined;
  /** A begin() whose BEGIN is on its way to the writer: settles once #interactive is set (or it failed). */
  #beginning: Promise<void> | undefined;
  #closed = false;

  private constructor(name: string, file: string, host: ReplicaHost, writer: WriterThread, seq: number) {
    this.name = name;
    this.path = file;
    this.#host = host;
    this.#writer = writer;
    this.#seq = seq;
    this.#gate = new CommitGate(file, {
      // the proposal times out (unknown) well before the gate would
      timeoutMs: 0x7fffffff,
      onCapture: (tx) => {
        this.#onCapture(tx);
      },
    });
  }

  /**
   * Opens a database's replica. `minSeq`: the transaction number recorded at the last complete checkpoint
   * (the database holds at least that; its token rows understate it after a VACUUM).
   */
  static async open(
    name: string,
    file: string,
    host: ReplicaHost,
    opts: { checkpointWalFrames: number; busyRetryMs: number; minSeq: number },
  ): Promise<DatabaseReplica> {
    const writer = new WriterThread(
      { path: file, checkpointWalFrames: opts.checkpointWalFrames, busyRetryMs: opts.busyRetryMs },
      (message, fields) => {
        host.logger.warn(message, { db: name, ...fields });
      },
    );
    try {
      const seq = Math.max(opts.minSeq, await writer.call<number>({ op: 'seq' }));
      return new DatabaseReplica(name, file, host, writer, seq);
    } catch (err) {
      await writer.close();
      throw err;
    }
  }

  get seq(): number {
    return this.#seq;
  }

  // ------------------------------------------------------------------ leader: group commit

  /** Runs one write request (its statements atomically, with its token) through group commit. */
  submit(req: GroupRequest): Promise<readonly StatementResult[]> {
    if (this.#closed) return Promise.reject(new ReplicationClosedError(`database ${this.name}`));
    const p = new Promise<readonly StatementResult[]>((resolve, reject) => {
      this.#queue.push({ req, resolve, reject });
    });
    this.#trackToken(req.token, p);
    void this.#pump();
    return p;
  }

  #trackToken(token: Uint8Array, p: Promise<unknown>): void {
    const key = tokenHex(token);
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.#pendingTokens.set(key, settled);
    void settled.then(() => {
      if (this.#pendingTokens.get(key) === settled) this.#pendingTokens.delete(key);
    });
  }

  /** Resolves once no request with this token is queued or running on this node. */
  async settleToken(token: Uint8Array): Promise<void> {
    await this.#pendingTokens.get(tokenHex(token));
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const release = await this.#lock.acquire();
        try {
          try {
            await this.#host.awaitWritable();
          } catch (err) {
            const failed = this.#queue;
            this.#queue = [];
            for (const w of failed) w.reject(err as Error);
            continue;
          }
          // VACUUM runs alone: it cannot run inside the group's transaction
          const head = this.#queue[0];
          if (head !== undefined && isVacuum(head.req)) {
            this.#queue.shift();
            await this.#commitVacuum(head);
            continue;
          }
          let n = 0;
          while (n < this.#queue.length && n < this.#host.maxGroupRequests) {
            const w = this.#queue[n];
            if (w === undefined || isVacuum(w.req)) break;
            n++;
          }
          const batch = this.#queue.splice(0, n);
          if (batch.length > 0) await this.#commitGroup(batch);
        } finally {
          release();
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #commitGroup(batch: readonly Waiter[]): Promise<void> {
    const now = this.#host.leaderNow();
    const prune = this.#seq % 64 === 0 ? now - this.#host.tokenRetentionMs : 0;
    let outcome: { outcomes: readonly RequestOutcome[]; failure: Error | undefined };
    try {
      outcome = await this.#commit(
        { op: 'group', requests: batch.map((w) => w.req), at: now, pruneBefore: prune, seq: this.#seq + 1 },
        batch.map((w) => w.req.token),
      );
    } catch (err) {
      for (const w of batch) w.reject(err as Error);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcome.outcomes[i];
      if (o === undefined) w.reject(new Error('missing outcome'));
      else if (!o.ok) w.reject(sqlError(o.error, w.req.token));
      else if (outcome.failure) w.reject(this.#forToken(outcome.failure, w.req.token));
      else w.resolve(o.results);
    });
  }

  /** VACUUM writes no token row (its entry carries none): recover() answers false for it; it changes no data. */
  async #commitVacuum(w: Waiter): Promise<void> {
    try {
      const r = await this.#commit({ op: 'vacuum', seq: this.#seq + 1 }, []);
      const o = r.outcomes[0];
      if (o !== undefined && !o.ok) w.reject(sqlError(o.error, w.req.token));
      else if (r.failure) w.reject(this.#forToken(r.failure, w.req.token));
      else w.resolve([{ changes: 0, lastInsertRowid: 0 }]);
    } catch (err) {
      w.reject(err as Error);
    }
  }

  #forToken(err: Error, token: Uint8Array): Error {
    return err instanceof CommitOutcomeUnknownError ? new CommitOutcomeUnknownError(token, err.message) : err;
  }

  /**
   * Runs a commit on the writer thread and sees it through the gate: proposes the captured pages, gives
   * the verdict when the entry applies, and classifies a failure as definite or unknown.
   */
  async #commit(
    msg: Parameters<WriterThread['commitRequest']>[0],
    tokens: readonly Uint8Array[],
  ): Promise<{ outcomes: readonly RequestOutcome[]; failure: Error | undefined }> {
    const f: InFlight = {
      id: this.#host.newProposalId(),
      tokens,
      done: undefined,
      prepared: undefined,
      capture: undefined,
      verdictGiven: false,
      superseded: false,
      notProposed: undefined,
      proposal: undefined,
    };
    this.#inflight = f;
    let committed: Extract<FromWriter, { kind: 'committed' }>;
    try {
      f.done = this.#writer.commitRequest(msg, (p) => {
        f.prepared = p;
        this.#tryPropose(f);
      });
      committed = await f.done;
    } finally {
      if (this.#inflight === f) this.#inflight = undefined;
    }
    const end = committed.commit;
    if (end === undefined || end.committed) return { outcomes: committed.outcomes, failure: undefined };
    // COMMIT failed here: what happened to the proposal decides
    if (f.proposal === undefined) {
      const why = f.notProposed ?? sqlError(end.error, tokens[0] ?? new Uint8Array(0));
      return { outcomes: committed.outcomes, failure: why };
    }
    const settled = await f.proposal;
    if (settled.ok) return { outcomes: committed.outcomes, failure: undefined }; // applied as a replica
    if (settled.err.definite === true) {
      return { outcomes: committed.outcomes, failure: new NotLeaderError(0, `not committed: ${settled.err.message}`) };
    }
    this.#host.markUncertain();
    return {
      outcomes: committed.outcomes,
      failure: new CommitOutcomeUnknownError(tokens[0] ?? new Uint8Array(0), settled.err.message),
    };
  }

  #onCapture(tx: CapturedTransaction): void {
    const f = this.#inflight;
    if (f === undefined || f.capture !== undefined) {
      // a commit nobody asked for (a request that ran COMMIT itself): never let it through
      this.#gate.resolve(tx.seq, 'abort-definite');
      return;
    }
    f.capture = tx;
    this.#tryPropose(f);
  }

  #abort(f: InFlight, verdict: 'abort-definite' | 'abort-unknown', why: Error | undefined): void {
    if (f.verdictGiven || f.capture === undefined) return;
    f.verdictGiven = true;
    if (why) f.notProposed ??= why;
    this.#gate.resolve(f.capture.seq, verdict);
  }

  #tryPropose(f: InFlight): void {
    const { prepared, capture } = f;
    if (prepared === undefined || capture === undefined || f.verdictGiven || f.proposal) return;
    if (f.superseded || !this.#host.writable()) {
      this.#abort(f, 'abort-definite', new NotLeaderError(0, 'leadership changed before the commit was proposed'));
      return;
    }
    if (prepared.seq !== this.#seq + 1) {
      this.#abort(f, 'abort-definite', new ReplicaDivergedError(`transaction ${prepared.seq} after ${this.#seq}`));
      return;
    }
    const committing = f.tokens.filter((_, i) => prepared.outcomes[i]?.ok === true); // none for VACUUM
    let bytes: Uint8Array;
    try {
      const entry: Omit<FramesEntry, 'kind'> = {
        db: this.name,
        pageSize: capture.pageSize,
        dbSize: capture.dbSize,
        pgnos: capture.packed.pgnos,
        pages: capture.packed.data,
        tokens: committing,
        leaderTimeMs: this.#host.leaderNow(),
        seq: prepared.seq,
        proposal: f.id,
      };
      bytes = encodeFramesChecked(entry, this.#host.maxEntryBytes);
    } catch (err) {
      this.#abort(f, 'abort-definite', err as Error);
      return;
    }
    f.proposal = this.#host.proposeEntry(bytes).then(
      (): ProposalSettlement => ({ ok: true }),
      (err: unknown): ProposalSettlement => {
        const e = err as Error & { definite?: boolean };
        this.#abort(f, e.definite === true ? 'abort-definite' : 'abort-unknown', undefined);
        return { ok: false, err: e };
      },
    );
  }

  // ------------------------------------------------------------------ leader: interactive transactions

  /** Opens an interactive transaction: it holds the writer until commit, rollback or the idle timeout. */
  async begin(token: Uint8Array): Promise<InteractiveTransaction> {
    if (this.#closed) throw new ReplicationClosedError(`database ${this.name}`);
    const release = await this.#lock.acquire();
    try {
      await this.#host.awaitWritable(); // may wait for entries to apply: not covered by #beginning
    } catch (err) {
      release();
      throw err;
    }
    // an apply arriving meanwhile must wait until the transaction is known here, to roll it back first: the
    // writer runs the BEGIN before that apply, and cannot apply pages under an open transaction
    const opening = (async () => {
      const reply = await this.#writer.send({ op: 'begin' });
      if (reply.kind === 'error') throw new WriterError(reply.error);
      const tx = new InteractiveTransaction(this, token, release, this.#host.idleTransactionMs);
      this.#interactive = tx;
      return tx;
    })();
    const beginning = opening.then(
      () => undefined,
      () => undefined,
    );
    this.#beginning = beginning;
    try {
      return await opening;
    } catch (err) {
      release();
      throw err;
    } finally {
      if (this.#beginning === beginning) this.#beginning = undefined;
    }
  }

  /** @internal */
  async txStatement(statement: Statement): Promise<StatementResult> {
    const reply = await this.#writer.send({ op: 'statement', statement });
    if (reply.kind === 'error') {
      if (reply.error.code === 'WALRAFT_INVALID_PARAMETER') throw new InvalidParameterError(reply.error.message);
      throw new SqliteError(reply.error.code, reply.error.message);
    }
    if (reply.kind !== 'result') throw new Error(`unexpected reply ${reply.kind}`);
    return reply.value as StatementResult;
  }

  /** @internal */
  async txCommit(tx: InteractiveTransaction): Promise<void> {
    const p = (async () => {
      if (!this.#host.writable()) {
        // leadership went before the role change was reported: the transaction never reaches COMMIT, so
        // roll it back on the writer now (posted ahead of any apply, which cannot run under it)
        await this.#writer.call({ op: 'rollback' }).catch(() => undefined);
        throw new NotLeaderError(0);
      }
      const r = await this.#commit({ op: 'commit', token: tx.token, at: this.#host.leaderNow(), seq: this.#seq + 1 }, [
        tx.token,
      ]);
      const o = r.outcomes[0];
      if (o !== undefined && !o.ok) throw sqlError(o.error, tx.token);
      if (r.failure) throw this.#forToken(r.failure, tx.token);
    })();
    this.#trackToken(tx.token, p);
    return p;
  }

  /** @internal */
  async txRollback(): Promise<void> {
    await this.#writer.call({ op: 'rollback' });
  }

  /** @internal */
  txEnded(tx: InteractiveTransaction): void {
    if (this.#interactive === tx) this.#interactive = undefined;
  }

  // ------------------------------------------------------------------ every node: apply

  /** Applies a committed transaction of this database (in log order). */
  async applyFrames(entry: FramesEntry): Promise<void> {
    if (entry.seq <= this.#seq) return; // already in the database (replay after a restart)
    if (entry.seq !== this.#seq + 1) {
      throw new ReplicaDivergedError(
        `database ${this.name} holds transaction ${this.#seq}, the log's next is ${entry.seq}`,
      );
    }
    const f = this.#inflight;
    if (f !== undefined && f.capture !== undefined && !f.verdictGiven && sameBytes(entry.proposal, f.id)) {
      // our own transaction, parked at the gate: let SQLite finish the commit it started
      f.verdictGiven = true;
      if (this.#gate.resolve(f.capture.seq, 'commit') && f.done) {
        const c = await f.done;
        if (c.commit?.committed === true) {
          this.#seq = entry.seq;
          return;
        }
      }
      // the gate had given up (or the local write failed): apply the pages like any replica
    } else if (f !== undefined) {
      f.superseded = true;
      this.#abort(f, 'abort-unknown', undefined);
    }
    await this.#beginning;
    await this.#interactive?.abandon(new NotLeaderError(0, 'leadership changed; the transaction was rolled back'));
    // exact-size copies, moved to the writer: a view would clone its whole underlying buffer (and
    // Buffer#slice makes a view, whose buffer may be shared: never transfer that)
    const pages = new Uint8Array(entry.pages);
    const pgnos = new Uint32Array(entry.pgnos);
    await this.#writer.call({ op: 'apply', pageSize: entry.pageSize, dbSize: entry.dbSize, pgnos, pages }, [
      pages.buffer,
      pgnos.buffer,
    ]);
    this.#seq = entry.seq;
  }

  /** Leadership was lost: queued requests fail (definite), an open interactive transaction rolls back. */
  leadershipLost(leader: number): void {
    const failed = this.#queue;
    this.#queue = [];
    for (const w of failed) w.reject(new NotLeaderError(leader));
    void this.#interactive?.abandon(new NotLeaderError(leader, 'leadership changed; the transaction was rolled back'));
  }

  // ------------------------------------------------------------------ checkpoints and snapshots

  /**
   * Checkpoints on the writer thread; `seq` is the transaction number the checkpointed state holds (replies
   * arrive in the writer's order, so the number known here then is exactly the one of that state).
   */
  async checkpoint(mode: 'passive' | 'full' | 'truncate'): Promise<CheckpointReport & { seq: number }> {
    const r = await this.#writer.call<CheckpointReport>({ op: 'checkpoint', mode });
    return { ...r, seq: this.#seq };
  }

  /** Opens a snapshot reader on the writer thread after a full checkpoint; `seq` as for checkpoint(). */
  async snapshotOpen(): Promise<SnapshotOpened & { seq: number }> {
    const release = await this.#lock.acquire();
    try {
      const r = await this.#writer.call<SnapshotOpened>({ op: 'snapshotOpen' });
      return { ...r, seq: this.#seq };
    } finally {
      release();
    }
  }

  snapshotRead(firstPage: number, count: number): Promise<Uint8Array> {
    return this.#writer.call<Uint8Array>({ op: 'snapshotRead', firstPage, count });
  }

  async snapshotClose(): Promise<void> {
    await this.#writer.call({ op: 'snapshotClose' });
  }

  /** Replaces the content with pages from a received snapshot file. */
  async install(pageSize: number, file: string, offset: number, pageCount: number, seq: number): Promise<void> {
    // a commit parked at the gate would hold the writer (and its lock) until its entry applies: after this
    const f = this.#inflight;
    if (f !== undefined) {
      f.superseded = true;
      this.#abort(f, 'abort-unknown', undefined);
    }
    await this.#beginning;
    await this.#interactive?.abandon(new NotLeaderError(0, 'the replica is being replaced by a snapshot'));
    const release = await this.#lock.acquire();
    try {
      this.#reader?.close();
      this.#reader = undefined;
      await this.#writer.call({ op: 'install', pageSize, file, offset, pageCount });
      this.#seq = seq;
    } finally {
      release();
    }
  }

  // ------------------------------------------------------------------ reads on this replica

  /** A read-only connection on this node's replica (main thread; may lag the leader). */
  reader(): Database.Database {
    if (this.#closed) throw new ReplicationClosedError(`database ${this.name}`);
    this.#reader ??= openDatabase(this.path, { readonly: true });
    return this.#reader;
  }

  /**
   * Streams the rows of a query from this replica, in batches, on a connection of its own. The read
   * transaction it holds keeps checkpoints from passing it, so it is ended after `maxMs`
   * (ReadTransactionTimeoutError): a slow consumer cannot make the WAL grow without bound.
   */
  async *iterate(sql: string, params: SqlParams | undefined, maxMs: number, batch = 256): AsyncGenerator {
    if (this.#closed) throw new ReplicationClosedError(`database ${this.name}`);
    const conn = openDatabase(this.path, { readonly: true });
    let expired = false;
    let it: IterableIterator<unknown> | undefined;
    // also when the consumer stops pulling: resetting the statement ends the read transaction
    const timer = setTimeout(() => {
      expired = true;
      it?.return?.();
    }, maxMs);
    timer.unref();
    try {
      const st = conn.prepare(sql);
      it = st.iterate(...(params === undefined ? [] : Array.isArray(params) ? (params as unknown[]) : [params]));
      for (;;) {
        if (expired) throw new ReadTransactionTimeoutError(maxMs);
        const rows: unknown[] = [];
        for (let r = it.next(); !r.done; r = it.next()) {
          rows.push(r.value);
          if (rows.length >= batch) break;
        }
        for (const row of rows) yield row;
        if (rows.length < batch) {
          if (expired) throw new ReadTransactionTimeoutError(maxMs);
          return;
        }
        // let the event loop (and the writer's checkpoints) run between batches
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      clearTimeout(timer);
      it?.return?.();
      conn.close();
    }
  }

  /**
   * Copies this replica, as one consistent read transaction sees it, into a plain SQLite file at `file`
   * (SQLite's online backup, on a connection of its own; writes and applies go on meanwhile).
   */
  async backupTo(file: string): Promise<void> {
    if (this.#closed) throw new ReplicationClosedError(`database ${this.name}`);
    const conn = openDatabase(this.path, { readonly: true });
    try {
      // after the first 100 pages, copy the rest in one step: a step sees one snapshot of the source
      await conn.backup(file, { progress: () => 1 << 30 });
    } finally {
      conn.close();
    }
  }

  /** Whether the token's row exists here: true = committed, false = burnt, undefined = absent. */
  lookupToken(token: Uint8Array): boolean | undefined {
    const db = this.reader();
    const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(tokenTable);
    if (exists === undefined) return undefined;
    const row = db.prepare(`SELECT committed FROM ${tokenTable} WHERE token = ?`).get(Buffer.from(token)) as
      { committed: number } | undefined;
    return row === undefined ? undefined : row.committed === 1;
  }

  /** SHA-256 of every page as this replica reads it now: equal on every node at the same applied index. */
  pageHash(): string {
    return crypto.createHash('sha256').update(this.reader().serialize()).digest('hex');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.leadershipLost(0);
    this.#gate.close(); // releases a writer parked at the gate (outcome unknown)
    this.#reader?.close();
    this.#reader = undefined;
    await this.#writer.close();
  }
}

/** An interactive transaction on the leader's writer; see Database.begin in the driver. */
export class InteractiveTransaction {
  readonly token: Uint8Array;
  readonly #db: DatabaseReplica;
  readonly #release: () => void;
  readonly #idleMs: number;
  #timer: NodeJS.Timeout | undefined;
  #ended: Error | undefined;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(db: DatabaseReplica, token: Uint8Array, release: () => void, idleMs: number) {
    this.#db = db;
    this.token = token;
    this.#release = release;
    this.#idleMs = idleMs;
    this.#arm();
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#idleMs <= 0) return;
    this.#timer = setTimeout(() => {
      void this.abandon(new TransactionIdleTimeoutError(this.#idleMs));
    }, this.#idleMs);
    this.#timer.unref();
  }

  /** Runs operations one at a time, in call order. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#busy.then(fn, fn);
    this.#busy = p.catch(() => undefined);
    return p;
  }

  get ended(): boolean {
    return this.#ended !== undefined;
  }

  run(statement: Statement): Promise<StatementResult> {
    return this.#serial(async () => {
      if (this.#ended) throw this.#ended;
      this.#arm();
      return this.#db.txStatement(statement);
    });
  }

  commit(): Promise<void> {
    return this.#serial(async () => {
      if (this.#ended) throw this.#ended;
      this.#end(new ReplicationClosedError('the transaction'));
      try {
        await this.#db.txCommit(this);
      } finally {
        this.#release();
      }
    });
  }

  rollback(): Promise<void> {
    return this.#serial(async () => {
      if (this.#ended) return;
      this.#end(new ReplicationClosedError('the transaction'));
      try {
        await this.#db.txRollback();
      } finally {
        this.#release();
      }
    });
  }

  /** Rolls back from outside (idle timeout, leadership lost); later calls fail with `why`. */
  async abandon(why: Error): Promise<void> {
    if (this.#ended) return;
    this.#end(why);
    try {
      await this.#db.txRollback();
    } catch {
      // the writer reports a rollback with nothing open as an error; nothing to undo then
    } finally {
      this.#release();
    }
  }

  #end(why: Error): void {
    this.#ended = why;
    if (this.#timer) clearTimeout(this.#timer);
    this.#db.txEnded(this);
  }
}
