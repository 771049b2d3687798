import type { ProposeRejection } from '../core/errors';
import type { Message, SnapshotMessage } from '../core/messages';
import type { RaftConfig, RaftStatus, Ready } from '../core/raft';
import { RaftCore } from '../core/raft';
import type { ConfChange, ConfState, Entry, Index, NodeId, SnapshotMeta } from '../core/types';
import { EntryType } from '../core/types';
import type { RaftStorage } from '../storage/types';
import {
  NodeStoppedError,
  NotLeaderError,
  ProposalDroppedError,
  ProposalOutcomeUnknownError,
  ProposalOverloadedError,
  ProposalRejectedError,
  ReadIndexTimeoutError,
} from './errors';
import type { ReceivedSnapshot } from './snapshot';
import type { Runtime, StateMachine, Transport } from './types';

export interface RaftNodeOptions {
  readonly config: RaftConfig;
  readonly storage: RaftStorage;
  readonly stateMachine: StateMachine;
  readonly transport: Transport;
  readonly runtime: Runtime;
  /** Milliseconds per Raft tick. */
  readonly tickMs: number;
  /** Take a state machine checkpoint (and compact the log) every this many applied entries; 0 = never. */
  readonly checkpointEvery: number;
  /** Proposals and reads not answered within this many ms fail (proposals with an unknown outcome). */
  readonly requestTimeoutMs: number;
  /** Entries applied per turn of the event loop before yielding, so heartbeats are never starved. */
  readonly applyBatch?: number;
  /** Called once when storage fails: the node has stopped and must not serve anything more. */
  readonly onFatal?: (err: Error) => void;
  /** Called for every Ready's soft state change (role or leader). */
  readonly onRoleChange?: (status: RaftStatus) => void;
}

interface PendingProposal {
  readonly term: number;
  readonly resolve: (result: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly cancelTimer: () => void;
}

interface PendingRead {
  index: Index;
  readonly resolve: (index: Index) => void;
  readonly reject: (err: Error) => void;
  readonly cancelTimer: () => void;
}

type ApplyItem =
  | { kind: 'entries'; entries: readonly Entry[]; next: number }
  | { kind: 'snapshot'; meta: SnapshotMeta; snapshot: ReceivedSnapshot };

/**
 * The driver around RaftCore: persists Readies with group commit, sends messages (the leader's appends go
 * out before its own fsync), applies committed entries in bounded batches, and resolves proposals and
 * reads. It is the only asynchronous Raft code, and it runs unchanged in the simulator.
 */
export class RaftNode {
  readonly id: NodeId;
  private readonly core: RaftCore;
  private readonly opts: RaftNodeOptions;
  private readonly storage: RaftStorage;
  private readonly sm: StateMachine;
  private readonly rt: Runtime;

  private stopped: Error | undefined;
  private pumpScheduled = false;
  private pumping = false;
  private syncing = false;
  private waiting: Ready[] = [];

  private readonly applyQueue: ApplyItem[] = [];
  private applying = false;
  private lastApplied: Index;
  private conf: ConfState;
  /** Configurations after each conf change since the log boundary, to know the conf at any index. */
  private confHistory: { index: Index; conf: ConfState }[] = [];
  private checkpointing = false;
  private checkpointIndex: Index;

  private readonly proposals = new Map<Index, PendingProposal>();
  private readonly reads = new Map<string, PendingRead>();
  private readonly readsAwaitingApply: PendingRead[] = [];
  private readCounter = 0;
  /** Snapshot data received with a Snap message, waiting for the core to accept it. */
  private incomingSnapshot: { meta: SnapshotMeta; snapshot: ReceivedSnapshot } | undefined;

  private cancelTick: (() => void) | undefined;
  private lastTickAt = 0;

  constructor(opts: RaftNodeOptions) {
    this.opts = opts;
    this.id = opts.config.id;
    this.storage = opts.storage;
    this.sm = opts.stateMachine;
    this.rt = opts.runtime;
    this.core = new RaftCore(opts.config, opts.storage, opts.storage.initialHardState());
    const snap = opts.storage.snapshot();
    this.conf = snap.conf;
    this.lastApplied = snap.index;
    this.checkpointIndex = snap.index;
  }

  start(): void {
    this.lastTickAt = this.rt.now();
    this.scheduleTick();
    this.kick();
  }

  /** Stops timers and fails everything pending. Storage is left to the caller to close. */
  stop(why = 'stopped'): void {
    if (this.stopped) return;
    this.stopped = new NodeStoppedError(why);
    this.cancelTick?.();
    this.incomingSnapshot?.snapshot.close();
    this.incomingSnapshot = undefined;
    for (const [index, p] of this.proposals) {
      p.cancelTimer();
      p.reject(new ProposalOutcomeUnknownError(index, why));
    }
    this.proposals.clear();
    for (const r of [...this.reads.values(), ...this.readsAwaitingApply]) {
      r.cancelTimer();
      r.reject(this.stopped);
    }
    this.reads.clear();
    this.readsAwaitingApply.length = 0;
  }

  get isStopped(): boolean {
    return this.stopped !== undefined;
  }

  status(): RaftStatus {
    return this.core.status();
  }

  appliedIndex(): Index {
    return this.lastApplied;
  }

  // ---------------------------------------------------------------- requests

  /** Proposes data; resolves with the state machine's result once applied on this node. */
  propose(data: Uint8Array): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    return this.track(this.core.propose(data));
  }

  proposeConfChange(cc: ConfChange): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    return this.track(this.core.proposeConfChange(cc));
  }

  /** Resolves with a read index once this node has applied up to it (linearizable reads). */
  readIndex(): Promise<Index> {
    if (this.stopped) return Promise.reject(this.stopped);
    const n = ++this.readCounter;
    const ctx = new Uint8Array(8);
    new DataView(ctx.buffer).setFloat64(0, n);
    const key = ctxKey(ctx);
    return new Promise<Index>((resolve, reject) => {
      const cancelTimer = this.rt.setTimer(this.opts.requestTimeoutMs, () => {
        const r = this.reads.get(key);
        if (r) this.reads.delete(key);
        const i = this.readsAwaitingApply.findIndex((x) => x.resolve === resolve);
        if (i >= 0) this.readsAwaitingApply.splice(i, 1);
        reject(new ReadIndexTimeoutError());
      });
      this.reads.set(key, { index: 0, resolve, reject, cancelTimer });
      this.core.readIndex(ctx);
      this.kick();
    });
  }

  transferLeadership(to: NodeId): void {
    if (this.stopped) return;
    this.core.transferLeadership(to);
    this.kick();
  }

  campaign(): void {
    if (this.stopped) return;
    this.core.campaign();
    this.kick();
  }

  // ---------------------------------------------------------------- transport callbacks

  /** Delivers a message from the network; a Snap message comes with its received snapshot. */
  receive(m: Message, snapshot?: ReceivedSnapshot): void {
    if (this.stopped) {
      snapshot?.close();
      return;
    }
    if (m.type === 'Snap') {
      if (!snapshot) return;
      this.incomingSnapshot?.snapshot.close();
      this.incomingSnapshot = { meta: m.meta, snapshot };
    }
    this.core.step(m);
    this.kick();
  }

  reportUnreachable(peer: NodeId): void {
    if (this.stopped) return;
    this.core.reportUnreachable(peer);
  }

  reportSnapshot(peer: NodeId, ok: boolean): void {
    if (this.stopped) return;
    this.core.reportSnapshot(peer, ok);
    this.kick();
  }

  // ---------------------------------------------------------------- internals

  private track(r: { index: Index; term: number } | ProposeRejection): Promise<unknown> {
    if ('reason' in r) {
      if (r.reason === 'NotLeader') return Promise.reject(new NotLeaderError(r.leader));
      if (r.reason === 'ConfChangeInvalid') return Promise.reject(new ProposalRejectedError(r.detail));
      // the leader's backlog of proposed, uncommitted (or committed, unapplied) entries is at its bound
      if (r.reason === 'TooLarge') return Promise.reject(new ProposalOverloadedError());
      return Promise.reject(new ProposalRejectedError(r.reason));
    }
    this.kick();
    // This node, now leader, appended at an index where an older proposal of ours once was: that entry is
    // not in the leader's log, so it was never committed (leader completeness) and never will be.
    const superseded = this.proposals.get(r.index);
    if (superseded) {
      this.proposals.delete(r.index);
      superseded.cancelTimer();
      superseded.reject(new ProposalDroppedError(r.index));
    }
    return new Promise((resolve, reject) => {
      const cancelTimer = this.rt.setTimer(this.opts.requestTimeoutMs, () => {
        if (this.proposals.get(r.index)?.resolve !== resolve) return;
        this.proposals.delete(r.index);
        reject(new ProposalOutcomeUnknownError(r.index, 'timed out'));
      });
      this.proposals.set(r.index, { term: r.term, resolve, reject, cancelTimer });
    });
  }

  private scheduleTick(): void {
    this.cancelTick = this.rt.setTimer(this.opts.tickMs, () => {
      if (this.stopped) return;
      // Deliver every tick that elapsed, also after a stall (GC, SIGSTOP): a single late timer callback
      // must not be counted as one tick.
      const now = this.rt.now();
      const ticks = Math.floor((now - this.lastTickAt) / this.opts.tickMs);
      this.lastTickAt += ticks * this.opts.tickMs;
      for (let i = 0; i < ticks; i++) this.core.tick();
      this.kick();
      this.scheduleTick();
    });
  }

  private kick(): void {
    if (this.pumpScheduled || this.pumping || this.stopped) return;
    this.pumpScheduled = true;
    this.rt.defer(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  /** Takes Readies from the core and carries them out, in order. */
  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (!this.stopped && this.core.hasReady()) {
        const rd = this.core.ready();
        if (rd.softState) this.opts.onRoleChange?.(this.core.status());
        this.sendAll(rd.messages);
        if (rd.snapshot) await this.installSnapshot(rd.snapshot);
        if (this.stopped) return;
        if (rd.entries.length > 0) this.storage.append(rd.entries);
        if (rd.hardState) this.storage.setHardState(rd.hardState);
        this.waiting.push(rd);
        for (const rs of rd.readStates) this.onReadState(rs.index, rs.ctx);
        if (rd.committedEntries.length > 0)
          this.enqueueApply({ kind: 'entries', entries: rd.committedEntries, next: 0 });
      }
      this.maybeSync();
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.pumping = false;
    }
    if (!this.stopped && this.core.hasReady()) this.kick();
  }

  /** Group commit: one sync covers every Ready accepted since the previous sync started. */
  private maybeSync(): void {
    if (this.syncing || this.waiting.length === 0 || this.stopped) return;
    const batch = this.waiting;
    this.waiting = [];
    this.syncing = true;
    // Readies that changed only the commit index need no fsync (a lost commit index is learned again from
    // the leader); every earlier Ready is already durable because batches complete in order.
    const durable = batch.some((rd) => rd.mustSync) ? this.storage.sync() : Promise.resolve();
    durable.then(
      () => {
        this.syncing = false;
        if (this.stopped) return;
        try {
          const last = batch[batch.length - 1];
          if (last) this.core.onPersisted(last.number);
          for (const rd of batch) this.sendAll(rd.persistedMessages);
        } catch (err) {
          this.fail(err as Error);
          return;
        }
        this.kick();
        this.maybeSync();
      },
      (err: unknown) => {
        this.fail(err as Error);
      },
    );
  }

  private sendAll(messages: readonly Message[]): void {
    if (messages.length === 0) return;
    let out: Message[] | undefined;
    for (const m of messages) {
      if (m.to === this.id) {
        this.core.step(m); // e.g. our own vote, counted only once durable
        this.kick();
      } else if (m.type === 'Snap') {
        this.sendSnapshot(m);
      } else {
        (out ??= []).push(m);
      }
    }
    if (out) this.opts.transport.send(out);
  }

  /**
   * The core asks for a snapshot at its log boundary; the state machine's current state is at least that
   * recent, so send it with metadata for the index it reflects.
   */
  private sendSnapshot(m: SnapshotMessage): void {
    this.sm.openSnapshot().then(
      (snap) => {
        const term = this.storage.term(snap.index);
        if (this.stopped || term === undefined || snap.index < m.meta.index) {
          snap.close();
          if (!this.stopped) this.core.reportSnapshot(m.to, false);
          return;
        }
        const meta: SnapshotMeta = { index: snap.index, term, conf: this.confAt(snap.index) };
        this.stats.snapshotsSent++;
        this.opts.transport.sendSnapshot({ ...m, meta }, snap);
      },
      (err: unknown) => {
        this.fail(err as Error);
      },
    );
  }

  private async installSnapshot(meta: SnapshotMeta): Promise<void> {
    const incoming = this.incomingSnapshot;
    if (!incoming || incoming.meta.index !== meta.index || incoming.meta.term !== meta.term) {
      throw new Error(`snapshot ${meta.index}/${meta.term} accepted without its data`);
    }
    this.incomingSnapshot = undefined;
    // Queue behind entries already committed, then wait until the state machine has taken it.
    await new Promise<void>((resolve, reject) => {
      this.enqueueApply({ kind: 'snapshot', meta, snapshot: incoming.snapshot });
      this.snapshotInstalled = { resolve, reject };
    });
    // The state machine is durable at meta.index before the log forgets what precedes it.
    await this.storage.installSnapshot(meta);
    this.stats.snapshotsInstalled++;
  }

  private snapshotInstalled: { resolve: () => void; reject: (err: Error) => void } | undefined;

  private enqueueApply(item: ApplyItem): void {
    this.applyQueue.push(item);
    if (!this.applying) {
      this.applying = true;
      this.rt.defer(() => void this.applyLoop());
    }
  }

  private async applyLoop(): Promise<void> {
    const batch = this.opts.applyBatch ?? 256;
    try {
      let budget = batch;
      while (!this.stopped && this.applyQueue.length > 0) {
        const item = this.applyQueue[0];
        if (!item) break;
        if (item.kind === 'snapshot') {
          this.applyQueue.shift();
          try {
            await this.sm.restore(item.meta, item.snapshot);
          } finally {
            item.snapshot.close();
          }
          this.afterRestore(item.meta);
          const waiter = this.snapshotInstalled;
          this.snapshotInstalled = undefined;
          waiter?.resolve();
          continue;
        }
        while (item.next < item.entries.length && budget > 0) {
          const e = item.entries[item.next++];
          if (!e) break;
          await this.applyEntry(e);
          if (this.stopped) return;
          budget--;
        }
        if (item.next >= item.entries.length) {
          this.applyQueue.shift();
          // the core may have held committed entries back while this batch was outstanding
          this.kick();
        }
        if (budget === 0) {
          // Yield so timers and network events run between batches.
          budget = batch;
          await new Promise<void>((r) => {
            this.rt.defer(r);
          });
        }
      }
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.applying = false;
    }
    if (!this.stopped) {
      this.kick();
      this.maybeCheckpoint();
    }
  }

  private async applyEntry(e: Entry): Promise<void> {
    let result: unknown = undefined;
    if (e.type === EntryType.ConfChange) {
      this.conf = this.core.applyConfChangeEntry(e);
      this.confHistory.push({ index: e.index, conf: this.conf });
      this.sm.applyConfChange?.(e, this.conf);
    } else if (e.type === EntryType.Normal && e.index > this.sm.appliedIndex()) {
      result = this.sm.apply(e);
      if (result instanceof Promise) result = await result;
    }
    this.lastApplied = e.index;
    this.core.onApplied(e.index);
    const p = this.proposals.get(e.index);
    if (p) {
      this.proposals.delete(e.index);
      p.cancelTimer();
      if (p.term === e.term) p.resolve(result);
      else p.reject(new ProposalDroppedError(e.index));
    }
    this.releaseReads();
  }

  private afterRestore(meta: SnapshotMeta): void {
    this.lastApplied = meta.index;
    this.conf = meta.conf;
    this.confHistory = [];
    this.checkpointIndex = meta.index;
    // Proposals covered by the snapshot may or may not be in it.
    for (const [index, p] of this.proposals) {
      if (index <= meta.index) {
        this.proposals.delete(index);
        p.cancelTimer();
        p.reject(new ProposalOutcomeUnknownError(index, 'replaced by a snapshot'));
      }
    }
    this.releaseReads();
  }

  private onReadState(index: Index, ctx: Uint8Array): void {
    const key = ctxKey(ctx);
    const r = this.reads.get(key);
    if (!r) return;
    this.reads.delete(key);
    r.index = index;
    this.readsAwaitingApply.push(r);
    this.releaseReads();
  }

  private releaseReads(): void {
    if (this.readsAwaitingApply.length === 0) return;
    for (let i = 0; i < this.readsAwaitingApply.length;) {
      const r = this.readsAwaitingApply[i];
      if (r && r.index <= this.lastApplied) {
        this.readsAwaitingApply.splice(i, 1);
        r.cancelTimer();
        r.resolve(r.index);
      } else i++;
    }
  }

  /** Counters for monitoring: checkpoints, log compactions, snapshots sent and installed. */
  readonly stats = { checkpoints: 0, compactions: 0, snapshotsSent: 0, snapshotsInstalled: 0 };

  /** Checkpoints the state machine now and then, and compacts the log up to the previous checkpoint. */
  private maybeCheckpoint(): void {
    const every = this.opts.checkpointEvery;
    if (every <= 0 || this.checkpointing || this.lastApplied - this.checkpointIndex < every) return;
    this.checkpointing = true;
    const previous = this.checkpointIndex;
    void this.sm
      .checkpoint()
      .then(async (index) => {
        if (this.stopped) return;
        this.stats.checkpoints++;
        // Keep the entries since the previous checkpoint so slightly lagging followers need no snapshot.
        const boundary = Math.min(previous, index);
        const term = this.storage.term(boundary);
        if (boundary > this.storage.snapshot().index && term !== undefined) {
          await this.storage.compact({ index: boundary, term, conf: this.confAt(boundary) });
          this.stats.compactions++;
          // storage.snapshot().conf now answers for the boundary; keep only later changes.
          this.confHistory = this.confHistory.filter((c) => c.index > boundary);
        }
        this.checkpointIndex = Math.max(this.checkpointIndex, index);
      })
      .catch((err: unknown) => {
        this.fail(err as Error);
      })
      .finally(() => {
        this.checkpointing = false;
      });
  }

  private confAt(index: Index): ConfState {
    let conf = this.storage.snapshot().conf;
    for (const c of this.confHistory) if (c.index <= index) conf = c.conf;
    return conf;
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.stop(`fatal: ${err.message}`);
    this.snapshotInstalled?.reject(err);
    this.opts.onFatal?.(err);
  }
}

function ctxKey(ctx: Uint8Array): string {
  let s = '';
  for (const b of ctx) s += b.toString(16).padStart(2, '0');
  return s;
}
