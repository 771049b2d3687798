import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  Entry,
  Index,
  Logger,
  OutgoingSnapshot,
  RaftStatus,
  ReceivedSnapshot,
  SnapshotMeta,
  StateMachine,
} from '@walraft/raft';
import { silentLogger } from '@walraft/raft';
import { createDatabaseFile, emptyDatabaseImage, registerReplicated } from '@walraft/vfs';
import type { DatabaseReplica, InteractiveTransaction, ReplicaHost } from './database-replica';
import { DatabaseReplica as Replica } from './database-replica';
import { migrateLegacyCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint-file';
import type { CreateDatabaseEntry } from './entries';
import { decodeEntry, defaultMaxEntryBytes, encodeEntry } from './entries';
import {
  ClusterUnavailableError,
  DatabaseNotFoundError,
  NotLeaderError,
  ReplicaDivergedError,
  ReplicationClosedError,
  TokenExpiredError,
  TokenReusedError,
} from './errors';
import { checkDatabaseName, isDatabaseName } from './names';
import { beginRestore, endRestore, pendingRestore, redoRestore, spoolSnapshot } from './restore-journal';
import { encodeHeader } from './snapshot-format';
import type { SnapshotDatabase } from './snapshot-format';
import { tokenTime } from './tokens';
import type { GroupRequest, StatementResult } from './writer/protocol';

/** What the state machine needs from the Raft node it runs under (a ClusterNode). */
export interface RaftHandle {
  propose(data: Uint8Array): Promise<unknown>;
  status(): Pick<RaftStatus, 'role' | 'term' | 'lead'>;
}

export interface ReplicatedSqliteOptions {
  /** Directory of this node's replicated databases (one file each) and their checkpoint index. */
  readonly dir: string;
  readonly logger?: Logger;
  /** Largest entry a transaction may produce. Default 16 MiB. */
  readonly maxEntryBytes?: number;
  /** Requests committed together in one transaction at most. Default 256. */
  readonly maxGroupRequests?: number;
  /** An interactive transaction idle this long is rolled back. Default 30 s. */
  readonly idleTransactionMs?: number;
  /** Token rows are kept this long (leader clock); `recover` of an older token is TokenExpiredError. Default 24 h. */
  readonly tokenRetentionMs?: number;
  /** Checkpoint a database locally once its WAL holds more frames than this. Default 1,000 (as SQLite). */
  readonly checkpointWalFrames?: number;
  /** How long an apply, install or snapshot keeps retrying while local readers hold locks. Default 10 s. */
  readonly busyRetryMs?: number;
}

/**
 * The replicated SQLite state machine of one node: Raft entries in, SQLite databases out, and the leader's
 * write path from SQLite transactions to Raft entries. Every database lives in `dir` as one SQLite file in
 * WAL mode; the durable truth is the Raft log plus these files at the checkpoint index (CI).
 */
export class ReplicatedSqlite implements StateMachine {
  readonly dir: string;
  readonly #o: Required<Omit<ReplicatedSqliteOptions, 'logger' | 'dir'>>;
  readonly #log: Logger;
  readonly #dbs = new Map<string, DatabaseReplica>();
  readonly #host: ReplicaHost;
  readonly #incarnation = randomBytes(8);
  #proposalCounter = 0n;
  #raft: RaftHandle | undefined;
  /** Index of the last entry applied; at start-up the durable checkpoint index. */
  #applied: Index;
  #ci: Index;
  /** Each database's transaction number at the checkpoint CI was recorded with. */
  readonly #ciSeqs: ReadonlyMap<string, number>;
  #checkpointing = false;
  /** Term whose barrier this leader has applied: it may write. */
  #writableTerm = 0;
  #uncertain = 0;
  #barrier: Promise<void> | undefined;
  #closed = false;

  private constructor(dir: string, o: ReplicatedSqliteOptions, ci: Index, ciSeqs: ReadonlyMap<string, number>) {
    this.dir = dir;
    this.#log = o.logger ?? silentLogger;
    this.#o = {
      maxEntryBytes: o.maxEntryBytes ?? defaultMaxEntryBytes,
      maxGroupRequests: o.maxGroupRequests ?? 256,
      idleTransactionMs: o.idleTransactionMs ?? 30_000,
      tokenRetentionMs: o.tokenRetentionMs ?? 24 * 3600_000,
      checkpointWalFrames: o.checkpointWalFrames ?? 1_000,
      busyRetryMs: o.busyRetryMs ?? 10_000,
    };
    this.#applied = ci;
    this.#ci = ci;
    this.#ciSeqs = ciSeqs;
    this.#host = {
      awaitWritable: () => this.#awaitWritable(),
      writable: () => this.#writable(),
      proposeEntry: (bytes) => this.#propose(bytes),
      newProposalId: () => {
        const id = Buffer.alloc(16);
        this.#incarnation.copy(id, 0);
        id.writeBigUInt64BE(++this.#proposalCounter, 8);
        return id;
      },
      leaderNow: () => Date.now(),
      markUncertain: () => {
        this.#uncertain++;
      },
      maxEntryBytes: this.#o.maxEntryBytes,
      maxGroupRequests: this.#o.maxGroupRequests,
      idleTransactionMs: this.#o.idleTransactionMs,
      tokenRetentionMs: this.#o.tokenRetentionMs,
      logger: this.#log,
    };
  }

  /** Opens every database in `dir` (SQLite recovers each WAL) and reads the checkpoint index. */
  static async open(o: ReplicatedSqliteOptions): Promise<ReplicatedSqlite> {
    const dir = path.resolve(o.dir);
    fs.mkdirSync(dir, { recursive: true });
    migrateLegacyCheckpoint(dir);
    const checkpoint = readCheckpoint(dir);
    const seqs = checkpoint.seqs;
    let ci = checkpoint.index;
    const interrupted = pendingRestore(dir);
    if (interrupted !== undefined) {
      for (const d of redoRestore(dir)) seqs.set(d.name, d.seq);
      ci = interrupted;
      writeCheckpoint(dir, ci, seqs);
      endRestore(dir);
      (o.logger ?? silentLogger).warn('finished a snapshot install a crash interrupted', { dir, index: ci });
    }
    const sm = new ReplicatedSqlite(dir, o, ci, seqs);
    try {
      for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
        if (f.name.startsWith('.') && (f.name.endsWith('.create') || f.name.endsWith('.snapshot'))) {
          fs.rmSync(path.join(dir, f.name), { force: true }); // leftovers of an interrupted create or restore
          continue;
        }
        if (!f.isFile() || !isDatabaseName(f.name)) continue;
        await sm.#openDatabase(f.name);
      }
    } catch (err) {
      await sm.close();
      throw err;
    }
    sm.#log.info('replicated databases opened', { dir, databases: [...sm.#dbs.keys()], checkpointIndex: ci });
    return sm;
  }

  /** Connects the state machine to the Raft node that drives it (before any write). */
  attach(raft: RaftHandle): void {
    this.#raft = raft;
  }

  async #openDatabase(name: string): Promise<DatabaseReplica> {
    const file = registerReplicated(path.join(this.dir, name));
    const d = await Replica.open(name, file, this.#host, {
      checkpointWalFrames: this.#o.checkpointWalFrames,
      busyRetryMs: this.#o.busyRetryMs,
      minSeq: this.#ciSeqs.get(name) ?? 0,
    });
    this.#dbs.set(name, d);
    return d;
  }

  // ------------------------------------------------------------------ leadership

  #status(): Pick<RaftStatus, 'role' | 'term' | 'lead'> {
    if (this.#raft === undefined) throw new Error('the state machine is not attached to a Raft node');
    return this.#raft.status();
  }

  /** Call on every role, term or leader change of the Raft node. */
  onRoleChange(s: Pick<RaftStatus, 'role' | 'term' | 'lead'>): void {
    if (s.role === 'leader' && s.term === this.#writableTerm) return;
    if (this.#writableTerm !== 0 || s.role !== 'leader') {
      this.#writableTerm = 0;
      for (const d of this.#dbs.values()) d.leadershipLost(s.lead);
    }
  }

  #writable(): boolean {
    if (this.#closed || this.#raft === undefined) return false;
    const s = this.#status();
    return s.role === 'leader' && s.term === this.#writableTerm && this.#uncertain === 0;
  }

  async #awaitWritable(): Promise<void> {
    if (this.#closed) throw new ReplicationClosedError();
    while (!this.#writable()) {
      const s = this.#status();
      if (s.role !== 'leader') throw new NotLeaderError(s.lead);
      this.#barrier ??= this.#runBarrier().finally(() => {
        this.#barrier = undefined;
      });
      try {
        await this.#barrier;
      } catch (err) {
        // nothing of the caller's was proposed: whatever went wrong, the failure is definite
        if (err instanceof NotLeaderError) throw err;
        throw new ClusterUnavailableError((err as Error).message);
      }
    }
  }

  /** Proposes a barrier in the current term and waits until it applies: every earlier entry is applied then. */
  async #runBarrier(): Promise<void> {
    const s = this.#status();
    if (s.role !== 'leader') throw new NotLeaderError(s.lead);
    const uncertain = this.#uncertain;
    await this.#propose(encodeEntry({ kind: 'barrier', term: s.term }));
    const now = this.#status();
    if (now.role === 'leader' && now.term === s.term) {
      this.#writableTerm = s.term;
      this.#uncertain -= uncertain;
    }
  }

  async #propose(bytes: Uint8Array): Promise<unknown> {
    if (this.#raft === undefined) throw new Error('the state machine is not attached to a Raft node');
    try {
      return await this.#raft.propose(bytes);
    } catch (err) {
      const e = err as Error & { definite?: boolean; leader?: number; code?: string };
      if (e.code === 'RAFT_NOT_LEADER') throw new NotLeaderError(e.leader ?? 0);
      // followers are behind: nothing was proposed, and the driver retries this with backoff
      if (e.code === 'RAFT_OVERLOADED') throw new ClusterUnavailableError(e.message);
      throw err;
    }
  }

  // ------------------------------------------------------------------ the API the driver builds on

  databases(): string[] {
    return [...this.#dbs.keys()].sort();
  }

  database(name: string): DatabaseReplica {
    const d = this.#dbs.get(name);
    if (d === undefined) throw new DatabaseNotFoundError(name);
    return d;
  }

  hasDatabase(name: string): boolean {
    return this.#dbs.has(name);
  }

  /** Creates a replicated database on every node (idempotent); on the leader. */
  async createDatabase(name: string, pageSize = 4096): Promise<void> {
    checkDatabaseName(name);
    if (this.#dbs.has(name)) return;
    await this.#awaitWritable();
    await this.#propose(encodeEntry({ kind: 'createDatabase', name, pageSize, page1: emptyDatabaseImage(pageSize) }));
  }

  /** Runs one write request through the leader's group commit. */
  async write(db: string, req: GroupRequest): Promise<readonly StatementResult[]> {
    this.#checkTokenAge(req.token);
    return this.database(db).submit(req);
  }

  async begin(db: string, token: Uint8Array): Promise<InteractiveTransaction> {
    this.#checkTokenAge(token);
    return this.database(db).begin(token);
  }

  /**
   * A token older than the retention window may have had its "did not commit" row pruned: a write carrying
   * it could then commit after recover() said it never would. Such writes are refused.
   */
  #checkTokenAge(token: Uint8Array): void {
    if (tokenTime(token) < Date.now() - this.#o.tokenRetentionMs / 2) throw new TokenExpiredError(token, true);
  }

  /**
   * Whether the transaction with this token committed: true or false, final. Proposes a barrier in the
   * current term first, so every entry that could still commit has been applied; a token never seen is
   * burnt (recorded as not committed) so it can never commit later.
   */
  async recover(db: string, token: Uint8Array): Promise<boolean> {
    const d = this.database(db);
    await d.settleToken(token);
    const s = this.#status();
    if (s.role !== 'leader') throw new NotLeaderError(s.lead);
    await this.#runBarrier();
    const found = d.lookupToken(token);
    if (found !== undefined) return found;
    if (tokenTime(token) < Date.now() - this.#o.tokenRetentionMs) throw new TokenExpiredError(token);
    try {
      await d.submit({ token, statements: [], tombstone: true });
      return false;
    } catch (err) {
      const again = err instanceof TokenReusedError ? d.lookupToken(token) : undefined;
      if (again !== undefined) return again;
      throw err;
    }
  }

  // ------------------------------------------------------------------ StateMachine

  appliedIndex(): Index {
    return this.#applied;
  }

  async apply(e: Entry): Promise<void> {
    const entry = decodeEntry(e.data);
    switch (entry.kind) {
      case 'createDatabase':
        await this.#applyCreate(entry);
        break;
      case 'barrier':
        break;
      case 'frames': {
        const d = this.#dbs.get(entry.db);
        if (d === undefined)
          throw new ReplicaDivergedError(`entry ${e.index} writes database ${entry.db}, which does not exist here`);
        await d.applyFrames(entry);
        break;
      }
    }
    this.#applied = e.index;
  }

  async #applyCreate(entry: CreateDatabaseEntry): Promise<void> {
    if (this.#dbs.has(entry.name)) return;
    checkDatabaseName(entry.name);
    const file = path.join(this.dir, entry.name);
    if (!fs.existsSync(file)) createDatabaseFile(file, entry.page1);
    await this.#openDatabase(entry.name);
    this.#log.info('database created', { name: entry.name, pageSize: entry.pageSize });
  }

  /**
   * Checkpoints every database completely and records the index they all reflect (CI); the log may be
   * compacted up to it. When readers keep a checkpoint from completing, the previous CI stands.
   */
  async checkpoint(): Promise<Index> {
    if (this.#checkpointing || this.#closed) return this.#ci;
    this.#checkpointing = true;
    try {
      // every apply up to here has finished on its writer thread, ahead of the checkpoint
      const mark = this.#applied;
      const seqs = new Map<string, number>();
      for (const d of [...this.#dbs.values()]) {
        const r = await d.checkpoint('full');
        if (!r.complete) {
          this.#log.warn('checkpoint incomplete; readers hold the WAL', { db: d.name, walFrames: r.walFrames });
          return this.#ci;
        }
        seqs.set(d.name, r.seq);
      }
      if (mark > this.#ci) this.#persistCi(mark, seqs);
      return this.#ci;
    } finally {
      this.#checkpointing = false;
    }
  }

  #persistCi(index: Index, seqs: ReadonlyMap<string, number>): void {
    writeCheckpoint(this.dir, index, seqs);
    this.#ci = index;
  }

  /** Every database's pages after a full checkpoint, streamed while writes continue into the WALs. */
  async openSnapshot(): Promise<OutgoingSnapshot> {
    const index = this.#applied;
    const opened: { d: DatabaseReplica; info: SnapshotDatabase }[] = [];
    try {
      for (const d of [...this.#dbs.values()]) {
        const o = await d.snapshotOpen();
        opened.push({ d, info: { name: d.name, pageSize: o.pageSize, pageCount: o.pageCount, seq: o.seq } });
      }
    } catch (err) {
      for (const o of opened) await o.d.snapshotClose().catch(() => undefined);
      throw err;
    }
    const header = encodeHeader({ version: 1, databases: opened.map((o) => o.info) });
    const size = opened.reduce((n, o) => n + o.info.pageCount * o.info.pageSize, header.length);
    let closed = false;
    return {
      index,
      size,
      context: new Uint8Array(0),
      async *chunks(chunkBytes: number) {
        yield header;
        for (const { d, info } of opened) {
          const per = Math.max(1, Math.floor(chunkBytes / info.pageSize));
          for (let first = 1; first <= info.pageCount; first += per) {
            yield await d.snapshotRead(first, Math.min(per, info.pageCount - first + 1));
          }
        }
      },
      close() {
        if (closed) return;
        closed = true;
        for (const o of opened) void o.d.snapshotClose().catch(() => undefined);
      },
    };
  }

  /**
   * Installs a received snapshot: every database it holds is replaced in place, then CI = its index. The
   * install is journaled (restore-journal.ts): a crash midway is finished by the next open().
   */
  async restore(meta: SnapshotMeta, snapshot: ReceivedSnapshot): Promise<void> {
    const { file, header, offset } = await spoolSnapshot(this.dir, snapshot);
    beginRestore(this.dir, meta.index);
    let at = offset;
    for (const info of header.databases) {
      const d = this.#dbs.get(info.name) ?? (await this.#createEmpty(info.name, info.pageSize));
      await d.install(info.pageSize, file, at, info.pageCount, info.seq);
      at += info.pageCount * info.pageSize;
    }
    this.#persistCi(meta.index, new Map([...this.#dbs.values()].map((d) => [d.name, d.seq])));
    endRestore(this.dir);
    this.#applied = meta.index;
    this.#log.info('snapshot installed', { index: meta.index, databases: header.databases.map((d) => d.name) });
  }

  async #createEmpty(name: string, pageSize: number): Promise<DatabaseReplica> {
    const file = path.join(this.dir, name);
    if (!fs.existsSync(file)) createDatabaseFile(file, emptyDatabaseImage(pageSize));
    return this.#openDatabase(name);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const d of this.#dbs.values()) await d.close();
  }
}
