import { applyConfChange, decodeConfChange, encodeConfChange, quorumSize, sortIds } from './confchange';
import type { ProposeRejection } from './errors';
import { RaftInvariantError } from './errors';
import { RaftLog } from './log';
import type {
  AppendMessage,
  AppendResponseMessage,
  HeartbeatMessage,
  HeartbeatResponseMessage,
  Message,
  ReadIndexMessage,
  ReadIndexResponseMessage,
  SnapshotMessage,
  VoteMessage,
  VoteResponseMessage,
} from './messages';
import type { Mutation } from './mutations';
import { Progress } from './progress';
import type { RandomSource } from './rand';
import type { LogReader } from '../storage/types';
import type { ConfChange, ConfState, Entry, HardState, Index, NodeId, SnapshotMeta, Term } from './types';
import { EntryType } from './types';

export type Role = 'follower' | 'precandidate' | 'candidate' | 'leader';

export interface RaftConfig {
  readonly id: NodeId;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)). */
  readonly electionTicks: number;
  /** Ticks between leader heartbeats; must be smaller than electionTicks. */
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** Soft limit on entry bytes per App message (at least one entry is always sent). */
  readonly maxSizePerMsg: number;
  readonly maxInflightMsgs: number;
  /** 0 = no byte limit. */
  readonly maxInflightBytes: number;
  /** Proposals are refused while this many bytes are appended but not committed (0 = no limit). */
  readonly maxUncommittedBytes: number;
  /** Bound on committed entry bytes handed out per Ready (at least one entry). */
  readonly maxApplyBytesPerReady: number;
  /**
   * Committed entry bytes handed out but not yet reported applied; past this no more are handed out until
   * onApplied (0 = no limit). Without it a node catching up — restarted, or slower to apply than the
   * cluster commits — would hold its whole backlog in memory.
   */
  readonly maxApplyingBytes: number;
  readonly random: RandomSource;
  /** Test-only: known bugs re-introduced to prove the simulator's checkers catch them. */
  readonly mutations?: ReadonlySet<Mutation>;
}

export const defaultRaftConfig = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  maxSizePerMsg: 1 << 20,
  maxInflightMsgs: 256,
  maxInflightBytes: 32 << 20,
  maxUncommittedBytes: 64 << 20,
  maxApplyBytesPerReady: 4 << 20,
  maxApplyingBytes: 64 << 20,
} as const;

export interface ReadState {
  readonly index: Index;
  readonly ctx: Uint8Array;
}

export interface SoftState {
  readonly lead: NodeId;
  readonly role: Role;
}

/**
 * Everything the driver must do after the core ran, numbered so persistence can be acknowledged with
 * onPersisted(number). The driver must, in order: append `entries` and record `hardState` (and install
 * `snapshot`) in storage before calling the core again; send `messages` right away; send
 * `persistedMessages` only after everything up to this Ready is durable; apply `committedEntries` in order.
 */
export interface Ready {
  readonly number: number;
  readonly softState: SoftState | undefined;
  readonly hardState: HardState | undefined;
  readonly snapshot: SnapshotMeta | undefined;
  readonly entries: readonly Entry[];
  /** True when entries, term or vote changed: the fsync cannot be skipped. */
  readonly mustSync: boolean;
  readonly messages: readonly Message[];
  readonly persistedMessages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
}

export interface PeerStatus {
  readonly id: NodeId;
  readonly voter: boolean;
  readonly match: Index;
  readonly next: Index;
  readonly state: Progress['state'];
  readonly recentActive: boolean;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: Term;
  readonly vote: NodeId;
  readonly lead: NodeId;
  readonly commit: Index;
  readonly applied: Index;
  readonly lastIndex: Index;
  readonly durableIndex: Index;
  /** Entries up to here are in storage as the core sees them; later ones are still to be handed over. */
  readonly stableIndex: Index;
  readonly conf: ConfState;
  readonly leadTransferee: NodeId;
  /** Only on the leader. */
  readonly peers: readonly PeerStatus[];
}

export interface ProposeResult {
  readonly index: Index;
  readonly term: Term;
}

interface PendingRead {
  readonly seq: number;
  readonly index: Index;
  readonly ctx: Uint8Array;
  /** Follower that asked (0 = local). */
  readonly from: NodeId;
}

interface PendingDurable {
  readonly number: number;
  /** Last log index after this Ready's append, clamped when a later Ready truncates below it. */
  last: Index;
  readonly snapshot: Index;
}

/**
 * The Raft state machine: synchronous and deterministic. Inputs are tick(), step() and local calls;
 * outputs are collected into Ready batches. It performs no I/O and reads storage only through LogReader.
 */
export class RaftCore {
  readonly id: NodeId;
  private readonly cfg: RaftConfig;
  private readonly log: RaftLog;
  private readonly mut: ReadonlySet<Mutation>;

  private term: Term;
  private vote: NodeId;
  private lead: NodeId = 0;
  private role: Role = 'follower';
  private conf: ConfState;
  private readonly prs = new Map<NodeId, Progress>();
  private votes = new Map<NodeId, boolean>();

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private leadTransferee: NodeId = 0;
  /** Index of the latest conf change this leader appended (or lastIndex at election). */
  private pendingConfIndex: Index = 0;
  private uncommittedBytes = 0;
  /** Batches of committed entries handed out and not yet applied, oldest first, with their data bytes. */
  private applyingBatches: { last: Index; bytes: number }[] = [];
  private applyingBytes = 0;

  /** Highest index known durable locally with our current log contents. */
  private durableIndex: Index;
  private readonly pendingDurable: PendingDurable[] = [];

  private readSeq = 0;
  private pendingReads: PendingRead[] = [];
  /** Reads asked before this leader committed an entry of its term; served once it has. */
  private deferredReads: { ctx: Uint8Array; from: NodeId }[] = [];

  private msgs: Message[] = [];
  private msgsAfterPersist: Message[] = [];
  private readStates: ReadState[] = [];
  private readyNumber = 0;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private broadcastPending = false;
  /**
   * The commit index advanced: followers learn it from the next App (which goes out at once when there are
   * entries to send) or the next heartbeat, instead of an empty App per commit — that would double the
   * messages (and follower work) of every commit. Read-index rounds carry the commit on their heartbeats.
   */
  private commitAdvanced = false;
  /** The commit index the last full broadcast carried. */
  private commitBroadcast: Index = 0;

  /**
   * `storage` holds the log found at start-up and `hardState` the last durable hard state. The configuration
   * starts as the snapshot's; committed conf change entries after it take effect as the driver applies them.
   */
  constructor(cfg: RaftConfig, storage: LogReader, hardState: HardState) {
    if (cfg.heartbeatTicks >= cfg.electionTicks) throw new Error('heartbeatTicks must be < electionTicks');
    if (!Number.isInteger(cfg.id) || cfg.id <= 0) throw new Error(`invalid node id ${cfg.id}`);
    this.cfg = cfg;
    this.id = cfg.id;
    this.mut = cfg.mutations ?? new Set();
    this.log = new RaftLog(storage);
    this.log.onTruncate = (keep) => {
      this.clampDurable(keep);
    };
    this.term = hardState.term;
    this.vote = hardState.vote;
    if (hardState.commit > 0) {
      if (hardState.commit > this.log.lastIndex()) {
        throw new RaftInvariantError(`commit ${hardState.commit} beyond last index ${this.log.lastIndex()}`);
      }
      this.log.commitTo(hardState.commit);
    }
    const conf = storage.snapshot().conf;
    this.conf = { voters: sortIds(conf.voters), learners: sortIds(conf.learners) };
    this.durableIndex = this.log.lastIndex();
    this.resetProgress();
    this.prevSoft = { lead: 0, role: 'follower' };
    this.prevHard = { term: this.term, vote: this.vote, commit: this.log.committed };
    this.becomeFollower(this.term, 0);
  }

  // ---------------------------------------------------------------- inputs

  tick(): void {
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  step(m: Message): void {
    if (m.to !== this.id) return;
    if (m.term > this.term) {
      if (m.type === 'Vote' || m.type === 'PreVote') {
        const inLease = this.cfg.checkQuorum && this.lead !== 0 && this.electionElapsed < this.cfg.electionTicks;
        if (!m.transfer && inLease) return; // leader stickiness: ignore disruptive campaigns
      }
      if (m.type === 'PreVote' || (m.type === 'PreVoteResp' && !m.reject)) {
        // A pre-vote does not change our term; a granted pre-vote is for our own future term.
      } else if (m.type === 'App' || m.type === 'Heartbeat' || m.type === 'Snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, 0);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'Heartbeat' || m.type === 'App')) {
        // Tell a stale leader about our term so it steps down (it may be cut off by CheckQuorum/PreVote).
        this.send({
          type: 'AppResp',
          from: this.id,
          to: m.from,
          term: this.term,
          index: 0,
          reject: false,
          hintIndex: 0,
          hintTerm: 0,
        });
      } else if (m.type === 'PreVote') {
        this.send({ type: 'PreVoteResp', from: this.id, to: m.from, term: this.term, reject: true });
      }
      return;
    }

    switch (m.type) {
      case 'Vote':
      case 'PreVote':
        this.handleVoteRequest(m);
        return;
      default:
        break;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'precandidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  /** Appends a normal entry if this node is the leader. */
  propose(data: Uint8Array): ProposeResult | ProposeRejection {
    const refused = this.checkCanPropose(data.length);
    if (refused) return refused;
    return this.appendLocal(EntryType.Normal, data);
  }

  /** Appends a single-server membership change if this leader may change membership now. */
  proposeConfChange(cc: ConfChange): ProposeResult | ProposeRejection {
    const data = encodeConfChange(cc);
    const refused = this.checkCanPropose(data.length);
    if (refused) return refused;
    if (!this.mut.has('conf-change-before-term-commit')) {
      // Guard for single-server changes (raft-dev, 2015): the leader must have committed an entry of its
      // own term, and the previous change must be applied, before another change is appended.
      if (this.log.term(this.log.committed) !== this.term) return { reason: 'ConfChangePending' };
    }
    if (this.pendingConfIndex > this.log.applied) return { reason: 'ConfChangePending' };
    try {
      applyConfChange(this.conf, cc);
    } catch (err) {
      return { reason: 'ConfChangeInvalid', detail: (err as Error).message };
    }
    const r = this.appendLocal(EntryType.ConfChange, data);
    this.pendingConfIndex = r.index;
    return r;
  }

  /** Starts an election now (used to bootstrap a single node quickly, and by tests). */
  campaign(): void {
    if (this.role === 'leader') return;
    this.startElection(false);
  }

  transferLeadership(to: NodeId): void {
    if (this.role !== 'leader') return;
    if (to === this.id || !this.conf.voters.includes(to)) return;
    if (this.leadTransferee === to) return;
    this.leadTransferee = to;
    this.electionElapsed = 0;
    const pr = this.prs.get(to);
    if (!pr) return;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to, true);
  }

  /**
   * Asks for a read index. The answer appears in a later Ready's readStates with the same ctx. On a
   * follower the request is forwarded to the leader; without a known leader it is dropped (retry later).
   */
  readIndex(ctx: Uint8Array): void {
    if (this.role === 'leader') {
      this.leaderReadIndex(ctx, 0);
    } else if (this.lead !== 0) {
      const m: ReadIndexMessage = { type: 'ReadIndex', from: this.id, to: this.lead, term: this.term, ctx };
      this.send(m);
    }
  }

  reportUnreachable(peer: NodeId): void {
    if (this.role !== 'leader') return;
    const pr = this.prs.get(peer);
    if (pr && pr.state === 'replicate') pr.becomeProbe();
  }

  reportSnapshot(peer: NodeId, ok: boolean): void {
    if (this.role !== 'leader') return;
    const pr = this.prs.get(peer);
    if (!pr || pr.state !== 'snapshot') return;
    if (!ok) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Wait for a heartbeat response before probing again (etcd does the same).
    pr.probeSent = true;
  }

  /**
   * Applies a committed conf change entry. The driver calls this, in log order, when it applies the entry.
   * Returns the new configuration.
   */
  applyConfChangeEntry(entry: Entry): ConfState {
    const cc = decodeConfChange(entry.data);
    try {
      this.conf = applyConfChange(this.conf, cc);
    } catch {
      // Validated at propose time; a change made invalid by an earlier one is a no-op on every node alike.
      return this.conf;
    }
    this.syncProgressWithConf();
    if (this.role === 'leader') {
      if (!this.conf.voters.includes(this.id)) {
        // Removed (or turned into a learner): step down (etcd-io/raft #83).
        this.becomeFollower(this.term, 0);
      } else {
        if (this.leadTransferee !== 0 && !this.conf.voters.includes(this.leadTransferee)) this.leadTransferee = 0;
        if (this.maybeCommit()) this.broadcastPending = true;
        this.maybeReleaseReads();
      }
    }
    return this.conf;
  }

  /** Reports that every Ready with number ≤ n is durable (entries, hard state, snapshot). */
  onPersisted(n: number): void {
    while (this.pendingDurable.length > 0 && (this.pendingDurable[0]?.number ?? Infinity) <= n) {
      const p = this.pendingDurable.shift();
      if (!p) break;
      if (p.snapshot > 0) this.log.snapshotPersisted(p.snapshot);
      this.durableIndex = Math.max(this.durableIndex, p.last, p.snapshot);
    }
    if (this.durableIndex > this.log.lastIndex()) {
      throw new RaftInvariantError(`durable ${this.durableIndex} beyond last ${this.log.lastIndex()}`);
    }
    if (this.role === 'leader') {
      const self = this.prs.get(this.id);
      if (self && self.maybeUpdate(this.durableIndex) && this.maybeCommit()) this.commitAdvanced = true;
    }
  }

  /** Entries after `keep` are being replaced: neither they nor pending persistence of them count. */
  private clampDurable(keep: Index): void {
    this.durableIndex = Math.min(this.durableIndex, keep);
    for (const p of this.pendingDurable) p.last = Math.min(p.last, keep);
  }

  /** Reports that entries up to `index` are applied to the state machine. */
  onApplied(index: Index): void {
    if (index > this.log.applying)
      throw new RaftInvariantError(`applied ${index} beyond handed out ${this.log.applying}`);
    if (index > this.log.applied) this.log.applied = index;
    while (this.applyingBatches.length > 0 && (this.applyingBatches[0]?.last ?? Infinity) <= index) {
      this.applyingBytes -= this.applyingBatches.shift()?.bytes ?? 0;
    }
  }

  /** Enough is handed out and not yet applied: hold further committed entries back. */
  private applyPaused(): boolean {
    return this.cfg.maxApplyingBytes > 0 && this.applyingBytes >= this.cfg.maxApplyingBytes;
  }

  hasReady(): boolean {
    this.flushBroadcast();
    return (
      this.log.hasUnstable() ||
      this.msgs.length > 0 ||
      (this.msgsAfterPersist.length > 0 && !this.log.isHoldingEntries()) ||
      this.readStates.length > 0 ||
      (this.nextCommittedHi() > this.log.applying && !this.applyPaused()) ||
      this.hardStateChanged() ||
      this.softStateChanged()
    );
  }

  ready(): Ready {
    this.flushBroadcast();
    const number = ++this.readyNumber;
    const { entries, snapshot } = this.log.takeUnstable();
    // What this Ready makes durable: the snapshot (entries after it follow in a later Ready), the handed
    // entries, or nothing new (0).
    const lastEntry = entries[entries.length - 1];
    const last = snapshot ? snapshot.index : (lastEntry?.index ?? 0);
    if (snapshot) {
      this.log.applying = snapshot.index;
      this.log.applied = snapshot.index;
      this.applyingBatches = [];
      this.applyingBytes = 0;
    }
    this.pendingDurable.push({ number, last, snapshot: snapshot?.index ?? 0 });

    const hard: HardState = { term: this.term, vote: this.vote, commit: this.log.committed };
    const persistedHard = this.mut.has('no-persist-vote') ? { ...hard, vote: 0 } : hard;
    const hardChanged = this.hardStateChanged();
    const termOrVoteChanged = hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote;
    this.prevHard = hard;
    const soft: SoftState = { lead: this.lead, role: this.role };
    const softChanged = this.softStateChanged();
    this.prevSoft = soft;

    const committedEntries = this.takeCommitted();
    // Acknowledgements may cover entries held back behind a pending snapshot: they wait for those entries.
    const hold = this.log.isHoldingEntries();
    const persistedMessages = hold ? [] : this.msgsAfterPersist;
    const rd: Ready = {
      number,
      softState: softChanged ? soft : undefined,
      hardState: hardChanged ? persistedHard : undefined,
      snapshot,
      entries,
      mustSync: entries.length > 0 || termOrVoteChanged || snapshot !== undefined,
      messages: this.msgs,
      persistedMessages,
      committedEntries,
      readStates: this.readStates,
    };
    this.msgs = [];
    if (!hold) this.msgsAfterPersist = [];
    this.readStates = [];
    return rd;
  }

  status(): RaftStatus {
    const peers: PeerStatus[] = [];
    if (this.role === 'leader') {
      for (const [id, pr] of [...this.prs].sort((a, b) => a[0] - b[0])) {
        peers.push({
          id,
          voter: this.conf.voters.includes(id),
          match: pr.match,
          next: pr.next,
          state: pr.state,
          recentActive: pr.recentActive,
        });
      }
    }
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      lead: this.lead,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      durableIndex: Math.min(this.durableIndex, this.log.stableLastIndex()),
      stableIndex: this.log.stableLastIndex(),
      conf: this.conf,
      leadTransferee: this.leadTransferee,
      peers,
    };
  }

  // ---------------------------------------------------------------- roles

  private becomeFollower(term: Term, lead: NodeId): void {
    this.reset(term);
    this.role = 'follower';
    this.lead = lead;
  }

  private becomePreCandidate(): void {
    // A pre-candidate keeps its term and vote; it only asks whether it could win.
    this.votes = new Map();
    this.role = 'precandidate';
    this.lead = 0;
  }

  private becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    this.reset(this.term);
    this.role = 'leader';
    this.lead = this.id;
    const self = this.prs.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.match = this.durableIndex;
      self.next = this.log.lastIndex() + 1;
    }
    // Entries of earlier terms commit only once an entry of this term does: append a no-op now (§5.4.2).
    this.pendingConfIndex = this.mut.has('conf-change-before-term-commit') ? 0 : this.log.lastIndex();
    this.appendLocal(EntryType.Noop, new Uint8Array(0));
  }

  private reset(term: Term): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = 0;
    }
    this.lead = 0;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTicks + Math.floor(this.cfg.random() * this.cfg.electionTicks);
    this.votes = new Map();
    this.leadTransferee = 0;
    this.uncommittedBytes = 0;
    this.pendingReads = [];
    this.deferredReads = [];
    this.resetProgress();
  }

  private resetProgress(): void {
    this.prs.clear();
    const next = this.log.lastIndex() + 1;
    for (const id of [...this.conf.voters, ...this.conf.learners]) {
      const pr = new Progress(next, this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes);
      if (id === this.id) pr.match = this.durableIndex;
      this.prs.set(id, pr);
    }
  }

  private syncProgressWithConf(): void {
    const members = new Set([...this.conf.voters, ...this.conf.learners]);
    for (const id of [...this.prs.keys()]) if (!members.has(id)) this.prs.delete(id);
    for (const id of members) {
      if (!this.prs.has(id)) {
        const pr = new Progress(this.log.lastIndex() + 1, this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes);
        if (id === this.id) pr.match = this.durableIndex;
        this.prs.set(id, pr);
      }
    }
  }

  private promotable(): boolean {
    return this.conf.voters.includes(this.id);
  }

  // ---------------------------------------------------------------- timers

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.startElection(false);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) {
        if (!this.quorumActive()) {
          this.becomeFollower(this.term, 0);
          return;
        }
      }
      // A transfer that did not finish within an election timeout is abandoned.
      this.leadTransferee = 0;
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
  }

  private quorumActive(): boolean {
    let active = 0;
    for (const id of this.conf.voters) {
      const pr = this.prs.get(id);
      if (pr && (id === this.id || pr.recentActive)) active++;
    }
    // every peer's flag starts over, learners' too: "recently active" must mean it (the learner promoter and
    // snapshot sending rely on it)
    for (const [id, pr] of this.prs) if (id !== this.id) pr.recentActive = false;
    return active >= quorumSize(this.conf.voters.length);
  }

  // ---------------------------------------------------------------- elections

  private startElection(transfer: boolean): void {
    if (!this.promotable()) return;
    if (this.hasUnappliedConfChanges()) return; // its configuration may be about to change
    if (this.cfg.preVote && !transfer) {
      this.becomePreCandidate();
      this.votes.set(this.id, true);
      if (this.voteResult() === 'won') {
        this.startElection(true);
        return;
      }
      this.requestVotes('PreVote', this.term + 1, false);
      return;
    }
    this.becomeCandidate();
    // Our own vote counts only once it is durable: it arrives as a VoteResp to ourselves after the fsync.
    this.msgsAfterPersist.push({ type: 'VoteResp', from: this.id, to: this.id, term: this.term, reject: false });
    this.requestVotes('Vote', this.term, transfer);
  }

  private requestVotes(type: 'Vote' | 'PreVote', term: Term, transfer: boolean): void {
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    for (const id of this.conf.voters) {
      if (id === this.id) continue;
      const m: VoteMessage = { type, from: this.id, to: id, term, lastIndex, lastTerm, transfer };
      this.send(m);
    }
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    const ents = this.log.slice(this.log.applied + 1, this.log.committed + 1, Number.MAX_SAFE_INTEGER) ?? [];
    return ents.some((e) => e.type === EntryType.ConfChange);
  }

  private handleVoteRequest(m: VoteMessage): void {
    const pre = m.type === 'PreVote';
    const canVote = this.vote === m.from || (this.vote === 0 && this.lead === 0) || (pre && m.term > this.term);
    const respType = pre ? 'PreVoteResp' : 'VoteResp';
    if (canVote && this.log.isUpToDate(m.lastIndex, m.lastTerm)) {
      // Answer in the requester's term: a granted pre-vote is for the term it will campaign in.
      const resp: VoteResponseMessage = { type: respType, from: this.id, to: m.from, term: m.term, reject: false };
      if (pre) {
        this.send(resp);
      } else {
        // The vote must be durable before the candidate can count it.
        this.electionElapsed = 0;
        this.vote = m.from;
        this.sendAfterPersist(resp);
      }
    } else if (pre) {
      this.send({ type: respType, from: this.id, to: m.from, term: this.term, reject: true });
    } else {
      // Our term may have just advanced: answer once it is durable.
      this.sendAfterPersist({ type: respType, from: this.id, to: m.from, term: this.term, reject: true });
    }
  }

  private voteResult(): 'won' | 'lost' | 'pending' {
    let granted = 0;
    let rejected = 0;
    for (const id of this.conf.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    const q = quorumSize(this.conf.voters.length);
    if (granted >= q) return 'won';
    if (rejected > this.conf.voters.length - q) return 'lost';
    return 'pending';
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'App':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        return;
      case 'Heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case 'Snap':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      case 'VoteResp':
      case 'PreVoteResp': {
        const expected = this.role === 'precandidate' ? 'PreVoteResp' : 'VoteResp';
        if (m.type !== expected) return;
        if (m.type === 'VoteResp' && m.term !== this.term) return;
        this.votes.set(m.from, !m.reject);
        const result = this.voteResult();
        if (result === 'won') {
          if (this.role === 'precandidate') this.startElection(true);
          else {
            this.becomeLeader();
            this.broadcastPending = true;
          }
        } else if (result === 'lost') {
          this.becomeFollower(this.term, 0);
        }
        return;
      }
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- follower

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'App':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        return;
      case 'Heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case 'Snap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case 'TimeoutNow':
        // Only a leader of our current term can make us campaign (stale TimeoutNow is dropped above).
        this.startElection(true);
        return;
      case 'ReadIndex':
        if (this.lead !== 0) this.send({ ...m, to: this.lead, term: this.term });
        return;
      case 'ReadIndexResp':
        if (!m.reject) this.readStates.push({ index: m.index, ctx: m.ctx });
        return;
      default:
        return;
    }
  }

  private handleAppend(m: AppendMessage): void {
    const base = { type: 'AppResp', from: this.id, to: m.from, term: this.term } as const;
    if (m.prevIndex < this.log.committed) {
      this.sendAfterPersist({ ...base, index: this.log.committed, reject: false, hintIndex: 0, hintTerm: 0 });
      return;
    }
    const lastNew = this.log.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.sendAfterPersist({ ...base, index: lastNew, reject: false, hintIndex: 0, hintTerm: 0 });
      return;
    }
    const hint = this.log.findConflictByTerm(Math.min(m.prevIndex, this.log.lastIndex()), m.prevTerm);
    this.sendAfterPersist({ ...base, index: m.prevIndex, reject: true, hintIndex: hint.index, hintTerm: hint.term });
  }

  private handleHeartbeat(m: HeartbeatMessage): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    const resp: HeartbeatResponseMessage = {
      type: 'HeartbeatResp',
      from: this.id,
      to: m.from,
      term: this.term,
      readSeq: m.readSeq,
    };
    this.send(resp);
  }

  private handleSnapshot(m: SnapshotMessage): void {
    const meta = m.meta;
    const base = {
      type: 'AppResp',
      from: this.id,
      to: m.from,
      term: this.term,
      reject: false,
      hintIndex: 0,
      hintTerm: 0,
    } as const;
    if (meta.index <= this.log.committed) {
      this.sendAfterPersist({ ...base, index: this.log.committed });
      return;
    }
    if (this.log.matchTerm(meta.index, meta.term)) {
      // We already have the snapshot's last entry: just learn that it is committed. Our entries after it
      // may still conflict with the leader's, so acknowledge only up to the snapshot.
      this.log.commitTo(meta.index);
      this.sendAfterPersist({ ...base, index: this.log.committed });
      return;
    }
    // Entries above our old commit index may disagree with the snapshot: stop claiming them durable.
    this.clampDurable(this.log.committed);
    this.log.restore(meta);
    this.conf = { voters: sortIds(meta.conf.voters), learners: sortIds(meta.conf.learners) };
    this.syncProgressWithConf();
    this.sendAfterPersist({ ...base, index: meta.index });
  }

  // ---------------------------------------------------------------- leader

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'AppResp':
        this.handleAppendResponse(m);
        return;
      case 'HeartbeatResp':
        this.handleHeartbeatResponse(m);
        return;
      case 'ReadIndex':
        this.leaderReadIndex(m.ctx, m.from);
        return;
      default:
        return;
    }
  }

  private handleAppendResponse(m: AppendResponseMessage): void {
    const pr = this.prs.get(m.from);
    if (!pr) return; // a peer no longer in the configuration
    pr.recentActive = true;
    if (m.reject) {
      let next = m.hintIndex;
      if (m.hintTerm > 0) next = this.log.findConflictByTerm(m.hintIndex, m.hintTerm).index;
      if (pr.maybeDecrTo(m.index, next)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from, false);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (pr.maybeUpdate(m.index)) {
      if (pr.state === 'probe') pr.becomeReplicate();
      else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
        pr.becomeProbe();
        pr.becomeReplicate();
      } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);

      if (this.maybeCommit()) {
        this.commitAdvanced = true;
      } else if (wasPaused) {
        this.sendAppend(m.from, false);
      }
      // Keep streaming while there is more to send.
      while (pr.next <= this.log.lastIndex() && !pr.isPaused()) {
        if (!this.sendAppend(m.from, false)) break;
      }
      if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
    }
  }

  private handleHeartbeatResponse(m: HeartbeatResponseMessage): void {
    const pr = this.prs.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    pr.probeSent = false;
    // Messages of a full window may have been lost (the peer restarted): free a slot so the next App
    // goes out and either progresses or is rejected, which moves the peer back to probing.
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirst();
    // Probe even with nothing new to send: the follower's answer tells where its log ends.
    if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
    if (m.readSeq > pr.readAck) {
      pr.readAck = m.readSeq;
      this.maybeReleaseReads();
    }
  }

  private leaderReadIndex(ctx: Uint8Array, from: NodeId): void {
    if (this.log.term(this.log.committed) !== this.term) {
      // The leader's commit index is only known to be current once an entry of its term is committed.
      this.deferredReads.push({ ctx, from });
      return;
    }
    const seq = this.mut.has('reuse-read-context') ? Math.max(1, this.readSeq) : ++this.readSeq;
    this.readSeq = seq;
    this.pendingReads.push({ seq, index: this.log.committed, ctx, from });
    const self = this.prs.get(this.id);
    if (self) self.readAck = seq;
    if (!this.maybeReleaseReads()) this.broadcastHeartbeat();
  }

  /** Serves every pending read whose sequence a quorum of voters acknowledged. */
  private maybeReleaseReads(): boolean {
    if (this.pendingReads.length === 0) return false;
    const acks = this.conf.voters.map((id) => (id === this.id ? this.readSeq : (this.prs.get(id)?.readAck ?? 0)));
    acks.sort((a, b) => b - a);
    const confirmed = acks[quorumSize(this.conf.voters.length) - 1] ?? 0;
    let released = false;
    while (this.pendingReads.length > 0 && (this.pendingReads[0]?.seq ?? Infinity) <= confirmed) {
      const r = this.pendingReads.shift();
      if (!r) break;
      released = true;
      if (r.from === 0 || r.from === this.id) this.readStates.push({ index: r.index, ctx: r.ctx });
      else {
        const resp: ReadIndexResponseMessage = {
          type: 'ReadIndexResp',
          from: this.id,
          to: r.from,
          term: this.term,
          index: r.index,
          ctx: r.ctx,
          reject: false,
        };
        this.send(resp);
      }
    }
    return released;
  }

  private maybeCommit(): boolean {
    const matches = this.conf.voters.map((id) => this.prs.get(id)?.match ?? 0).sort((a, b) => b - a);
    const q = quorumSize(this.conf.voters.length);
    let idx = matches[q - 1] ?? 0;
    if (idx <= this.log.committed) return false;
    if (this.mut.has('commit-prior-term')) {
      this.log.commitTo(idx);
    } else {
      // Only entries of the current term are committed by counting replicas (§5.4.2).
      if (this.log.term(idx) !== this.term) return false;
      this.log.commitTo(idx);
    }
    idx = this.log.committed;
    if (this.deferredReads.length > 0 && this.log.term(idx) === this.term) {
      const reads = this.deferredReads;
      this.deferredReads = [];
      for (const r of reads) this.leaderReadIndex(r.ctx, r.from);
    }
    return true;
  }

  private checkCanPropose(bytes: number): ProposeRejection | undefined {
    if (this.role !== 'leader') return { reason: 'NotLeader', leader: this.lead };
    if (this.leadTransferee !== 0) return { reason: 'Transferring', leader: this.id };
    const max = this.cfg.maxUncommittedBytes;
    if (max > 0 && this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > max) return { reason: 'TooLarge' };
    return undefined;
  }

  private appendLocal(type: Entry['type'], data: Uint8Array): ProposeResult {
    const entry: Entry = { index: this.log.lastIndex() + 1, term: this.term, type, data };
    this.log.append([entry]);
    this.uncommittedBytes += data.length;
    this.broadcastPending = true;
    return { index: entry.index, term: entry.term };
  }

  private flushBroadcast(): void {
    if (
      this.commitAdvanced &&
      this.pendingConfIndex > this.commitBroadcast &&
      this.pendingConfIndex <= this.log.committed
    ) {
      // a committed membership change goes out at once: a leader that removed itself stops heartbeating
      this.broadcastPending = true;
    }
    if (this.broadcastPending) this.commitBroadcast = this.log.committed;
    if (this.commitAdvanced && !this.broadcastPending && this.role === 'leader') {
      // only entries not yet sent go out now (carrying the new commit); the commit alone waits
      for (const [id, pr] of this.prs) {
        if (id === this.id) continue;
        while (pr.next <= this.log.lastIndex() && !pr.isPaused()) {
          if (!this.sendAppend(id, false)) break;
        }
      }
    }
    this.commitAdvanced = false;
    if (!this.broadcastPending) return;
    this.broadcastPending = false;
    if (this.role !== 'leader') return;
    for (const id of this.prs.keys()) {
      if (id !== this.id) this.sendAppends(id);
    }
  }

  /** Sends an App (even an empty one, to carry the commit index), then fills the peer's window. */
  private sendAppends(to: NodeId): void {
    if (!this.sendAppend(to, true)) return;
    const pr = this.prs.get(to);
    while (pr && pr.next <= this.log.lastIndex() && !pr.isPaused()) {
      if (!this.sendAppend(to, false)) break;
    }
  }

  /**
   * Sends an App (or a snapshot) to a peer if its progress allows. With sendIfEmpty an App without entries
   * still goes out (to carry the commit index or probe). Returns whether anything was sent.
   */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.prs.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const entries =
      pr.state === 'probe' && pr.probeSent
        ? []
        : this.log.slice(pr.next, this.log.lastIndex() + 1, this.cfg.maxSizePerMsg);
    if (prevTerm === undefined || entries === undefined) return this.sendSnapshot(to, pr);
    if (entries.length === 0 && !sendIfEmpty) return false;
    const m: AppendMessage = {
      type: 'App',
      from: this.id,
      to,
      term: this.term,
      prevIndex,
      prevTerm,
      entries,
      commit: this.log.committed,
    };
    let bytes = 0;
    for (const e of entries) bytes += e.data.length;
    pr.sentEntries(entries.length, prevIndex + entries.length, bytes);
    this.send(m);
    return true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) return false; // wait until the peer is reachable before shipping a snapshot
    const meta = this.log.storage.snapshot();
    if (meta.index === 0) throw new RaftInvariantError('log compacted without a snapshot');
    pr.becomeSnapshot(meta.index);
    this.send({ type: 'Snap', from: this.id, to, term: this.term, meta });
    return true;
  }

  private broadcastHeartbeat(): void {
    for (const [id, pr] of this.prs) {
      if (id === this.id) continue;
      const m: HeartbeatMessage = {
        type: 'Heartbeat',
        from: this.id,
        to: id,
        term: this.term,
        // Never claim a commit beyond what the follower is known to hold.
        commit: Math.min(pr.match, this.log.committed),
        readSeq: this.readSeq,
      };
      this.send(m);
      if (pr.state === 'probe') pr.probeSent = false;
    }
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'TimeoutNow', from: this.id, to, term: this.term });
  }

  // ---------------------------------------------------------------- outputs

  private send(m: Message): void {
    if (m.to === this.id) throw new RaftInvariantError(`message ${m.type} to self`);
    this.msgs.push(m);
  }

  /** Responses that claim durability (appends, votes) go out only after the fsync. */
  private sendAfterPersist(m: Message): void {
    if (m.type === 'AppResp' && this.mut.has('ack-before-fsync')) this.msgs.push(m);
    else this.msgsAfterPersist.push(m);
  }

  private nextCommittedHi(): Index {
    return Math.min(this.log.committed, this.durableIndex);
  }

  private takeCommitted(): Entry[] {
    const hi = this.nextCommittedHi();
    if (hi <= this.log.applying || this.applyPaused()) return [];
    const ents = this.log.slice(this.log.applying + 1, hi + 1, this.cfg.maxApplyBytesPerReady);
    if (!ents) throw new RaftInvariantError(`committed entries after ${this.log.applying} are compacted`);
    const last = ents[ents.length - 1];
    if (last) {
      this.log.applying = last.index;
      let handed = 0;
      let ownTerm = 0;
      for (const e of ents) {
        handed += e.data.length;
        if (e.term === this.term) ownTerm += e.data.length;
      }
      this.applyingBatches.push({ last: last.index, bytes: handed });
      this.applyingBytes += handed;
      if (this.role === 'leader') this.uncommittedBytes = Math.max(0, this.uncommittedBytes - ownTerm);
    }
    return ents;
  }

  private hardStateChanged(): boolean {
    return (
      this.term !== this.prevHard.term ||
      this.vote !== this.prevHard.vote ||
      this.log.committed !== this.prevHard.commit
    );
  }

  private softStateChanged(): boolean {
    return this.lead !== this.prevSoft.lead || this.role !== this.prevSoft.role;
  }
}
