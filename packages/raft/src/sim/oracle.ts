import type { Message } from '../core/messages';
import type { RaftStatus } from '../core/raft';
import type { Entry, Index, NodeId, Term } from '../core/types';
import { EntryType } from '../core/types';
import type { RaftStorage } from '../storage/types';
import type { DurableImage } from './disk';
import { fnv1a } from './kv';

/** What the oracle can see of one live node. */
export interface ObservedNode {
  readonly id: NodeId;
  status(): RaftStatus;
  readonly storage: RaftStorage;
  durable(): DurableImage;
}

interface CommittedRecord {
  readonly term: Term;
  readonly hash: number;
  /** An upper bound of the term in which the entry was committed (the observer's term when first seen). */
  readonly commitTerm: Term;
}

export function entryHash(e: Entry): number {
  let h = fnv1a(`${e.type}:`);
  for (const b of e.data) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/**
 * Global knowledge used to check Raft's safety properties after every simulator event. Every violation is
 * recorded with the virtual time; the run stops at the first one.
 */
export class Oracle {
  readonly violations: string[] = [];
  private readonly leaderOf = new Map<Term, NodeId>();
  private readonly committed = new Map<Index, CommittedRecord>();
  /** Highest index known committed (a lower bound of the true value). */
  maxCommitted: Index = 0;
  private readonly digests = new Map<Index, number>();
  private readonly checkedCommit = new Map<NodeId, Index>();
  /** Per leader and term: how far its log has been scanned for conf changes. */
  private readonly leaderScanned = new Map<string, Index>();
  /** Per leader and term: the commit index last seen. */
  private readonly leaderCommit = new Map<string, Index>();

  constructor(private readonly now: () => number) {}

  fail(what: string): void {
    this.violations.push(`t=${this.now().toFixed(1)}ms ${what}`);
  }

  /** A node (re)started: re-check its committed prefix from its log boundary. */
  nodeStarted(id: NodeId, storage: RaftStorage): void {
    this.checkedCommit.set(id, storage.snapshot().index);
  }

  /** Election safety and leader completeness, when a node becomes leader. */
  becameLeader(n: ObservedNode): void {
    const st = n.status();
    const prev = this.leaderOf.get(st.term);
    if (prev !== undefined && prev !== n.id) {
      this.fail(`election safety: nodes ${prev} and ${n.id} are both leader in term ${st.term}`);
    }
    this.leaderOf.set(st.term, n.id);
    // Entries committed in earlier terms must all be in the new leader's log.
    const first = n.storage.firstIndex();
    for (let i = 1; i <= this.maxCommitted; i++) {
      const rec = this.committed.get(i);
      if (!rec || rec.commitTerm >= st.term) continue;
      if (i > st.lastIndex) {
        this.fail(
          `leader completeness: leader ${n.id} (term ${st.term}) ends at ${st.lastIndex}, but ${i} was committed in an earlier term`,
        );
        return;
      }
      if (i < first) continue;
      const t = n.storage.term(i);
      if (t !== undefined && t !== rec.term) {
        this.fail(
          `leader completeness: leader ${n.id} (term ${st.term}) has term ${t} at committed index ${i} (was ${rec.term})`,
        );
        return;
      }
    }
  }

  /** Committed entries never change: record or compare each node's newly committed entries. */
  observeCommits(n: ObservedNode): void {
    const st = n.status();
    this.checkCommitRule(n, st);
    let from = (this.checkedCommit.get(n.id) ?? 0) + 1;
    from = Math.max(from, n.storage.firstIndex());
    const upTo = Math.min(st.commit, st.stableIndex, n.storage.lastIndex());
    let checked = from - 1;
    for (let i = from; i <= upTo; i++) {
      const e = n.storage.entries(i, i + 1, Number.MAX_SAFE_INTEGER)[0];
      if (!e) break;
      const h = entryHash(e);
      const rec = this.committed.get(i);
      if (!rec) {
        this.committed.set(i, { term: e.term, hash: h, commitTerm: st.term });
        if (i > this.maxCommitted) this.maxCommitted = i;
      } else if (rec.term !== e.term || rec.hash !== h) {
        this.fail(
          `committed entry changed: node ${n.id} has (term ${e.term}) at index ${i}, committed was (term ${rec.term})`,
        );
        return;
      }
      checked = i;
    }
    if (checked >= from - 1) this.checkedCommit.set(n.id, Math.max(checked, this.checkedCommit.get(n.id) ?? 0));
  }

  /** State machine safety: the state after applying index i is the same on every node. */
  observeApply(id: NodeId, index: Index, digest: number): void {
    const prev = this.digests.get(index);
    if (prev === undefined) this.digests.set(index, digest);
    else if (prev !== digest) this.fail(`state machine safety: node ${id} state after index ${index} differs`);
  }

  /** Log matching: if two logs have an entry with the same index and term, they agree up to it. */
  checkLogMatching(nodes: readonly ObservedNode[]): void {
    for (let a = 0; a < nodes.length; a++) {
      for (let b = a + 1; b < nodes.length; b++) {
        const x = nodes[a];
        const y = nodes[b];
        if (!x || !y) continue;
        const lo = Math.max(x.storage.firstIndex(), y.storage.firstIndex());
        const hi = Math.min(x.storage.lastIndex(), y.storage.lastIndex());
        let top = hi;
        while (top >= lo && x.storage.term(top) !== y.storage.term(top)) top--;
        if (top < lo) continue;
        const ex = x.storage.entries(lo, top + 1, Number.MAX_SAFE_INTEGER);
        const ey = y.storage.entries(lo, top + 1, Number.MAX_SAFE_INTEGER);
        for (let k = 0; k < ex.length; k++) {
          const p = ex[k];
          const q = ey[k];
          if (!p || !q) break;
          if (p.term !== q.term || entryHash(p) !== entryHash(q)) {
            this.fail(`log matching: nodes ${x.id} and ${y.id} agree at index ${top} but differ at ${p.index}`);
            return;
          }
        }
      }
    }
  }

  /**
   * The commit rule (§5.4.2): a leader moves its commit index only to an entry of its own term; entries of
   * earlier terms commit indirectly, never by counting replicas.
   */
  private checkCommitRule(n: ObservedNode, st: RaftStatus): void {
    if (st.role !== 'leader') return;
    const key = `${n.id}/${st.term}`;
    const prev = this.leaderCommit.get(key);
    this.leaderCommit.set(key, st.commit);
    if (prev === undefined || st.commit <= prev) return;
    const t = n.storage.term(st.commit);
    if (t !== undefined && t !== st.term) {
      this.fail(
        `commit rule: leader ${n.id} (term ${st.term}) advanced its commit index to ${st.commit}, an entry of term ${t}`,
      );
    }
  }

  /**
   * Membership changes (thesis §4.1 and the 2015 single-server fix): when a leader appends a conf change in
   * term T, it has already committed an entry of term T, and every earlier conf change in its log is
   * committed.
   */
  observeLeaderAppends(n: ObservedNode): void {
    const st = n.status();
    if (st.role !== 'leader') return;
    const key = `${n.id}/${st.term}`;
    const from = Math.max((this.leaderScanned.get(key) ?? 0) + 1, n.storage.firstIndex());
    const last = n.storage.lastIndex();
    if (from > last) return;
    for (const e of n.storage.entries(from, last + 1, Number.MAX_SAFE_INTEGER)) {
      if (e.term !== st.term || e.type !== EntryType.ConfChange) continue;
      let committedOwnTerm = false;
      for (let i = Math.min(e.index - 1, this.maxCommitted); i >= 1; i--) {
        const rec = this.committed.get(i);
        if (rec?.term === st.term) {
          committedOwnTerm = true;
          break;
        }
        if (rec && rec.term < st.term) break;
      }
      if (!committedOwnTerm) {
        this.fail(
          `membership: leader ${n.id} appended a conf change at ${e.index} in term ${st.term} before committing an entry of its term`,
        );
        return;
      }
      const earlier = n.storage.entries(Math.max(n.storage.firstIndex(), 1), e.index, Number.MAX_SAFE_INTEGER);
      for (const x of earlier) {
        if (x.type === EntryType.ConfChange && !this.committed.has(x.index) && x.index > this.maxCommitted) {
          this.fail(
            `membership: leader ${n.id} appended a conf change at ${e.index} while the one at ${x.index} is uncommitted`,
          );
          return;
        }
      }
    }
    this.leaderScanned.set(key, last);
  }

  /** Durability: a message that claims something is on disk is only sent once it is. */
  checkSend(sender: ObservedNode | undefined, m: Message): void {
    if (!sender) return;
    if (m.type === 'VoteResp' && !m.reject) {
      const hs = sender.durable().hardState;
      if (!(hs.term > m.term || (hs.term === m.term && hs.vote === m.to))) {
        this.fail(
          `durability: node ${m.from} granted its vote to ${m.to} in term ${m.term} before persisting it (durable term ${hs.term}, vote ${hs.vote})`,
        );
      }
    } else if (m.type === 'AppResp' && !m.reject && m.index > 0 && m.term === sender.status().term) {
      // (An acknowledgement from an earlier term concerns a log that a newer leader may have replaced
      // since; only its then-leader can use it, and only safely, so it is not checked against today's log.)
      const img = sender.durable();
      if (m.index <= img.snapshot.index) return;
      const volatileTerm = sender.storage.term(m.index);
      const durableEntry = img.entries[m.index - img.snapshot.index - 1];
      if (volatileTerm !== undefined && durableEntry?.term !== volatileTerm) {
        this.fail(`durability: node ${m.from} acknowledged index ${m.index} before it was durable`);
      }
    }
  }

  /** A linearizable read must observe every write committed before it was issued. */
  checkRead(node: NodeId, readIndex: Index, committedAtCall: Index): void {
    if (readIndex < committedAtCall) {
      this.fail(
        `stale read: node ${node} served read index ${readIndex}, but index ${committedAtCall} was committed before the read began`,
      );
    }
  }
}
