import type { LogReader } from '../storage/types';
import { RaftInvariantError } from './errors';
import type { Entry, Index, SnapshotMeta, Term } from './types';

/**
 * The core's view of the log: what storage holds plus entries (and possibly a received snapshot) not yet
 * handed to the driver. Once a Ready is taken, its entries are in storage (the driver appends them before
 * calling the core again), so the unstable part only spans one step-to-ready window.
 */
export class RaftLog {
  /** Entries not yet handed to storage; unstable[0].index === unstableOffset. */
  private unstable: Entry[] = [];
  private unstableOffset: Index;
  /**
   * A received snapshot that replaces the log, from restore() until it is durable. Until then storage is
   * not consulted at all (it still holds the old log), and entries after the snapshot stay unstable.
   */
  private pendingSnapshot: SnapshotMeta | undefined;
  private pendingSnapshotHanded = false;

  committed: Index;
  /** Highest index handed to the driver for applying. */
  applying: Index;
  /** Highest index the driver reported applied. */
  applied: Index;

  /** Called when an append replaces entries after `keep`: claims about them no longer hold. */
  onTruncate: (keep: Index) => void = () => undefined;

  constructor(readonly storage: LogReader) {
    this.unstableOffset = storage.lastIndex() + 1;
    const snap = storage.snapshot();
    this.committed = snap.index;
    this.applying = snap.index;
    this.applied = snap.index;
  }

  firstIndex(): Index {
    if (this.pendingSnapshot) return this.pendingSnapshot.index + 1;
    return this.storage.firstIndex();
  }

  lastIndex(): Index {
    if (this.unstable.length > 0) return this.unstableOffset + this.unstable.length - 1;
    if (this.pendingSnapshot) return this.pendingSnapshot.index;
    return this.storage.lastIndex();
  }

  lastTerm(): Term {
    const t = this.term(this.lastIndex());
    if (t === undefined) throw new RaftInvariantError(`no term for last index ${this.lastIndex()}`);
    return t;
  }

  /** Term of entry i, or undefined when i is compacted away or beyond the end. Index 0 has term 0. */
  term(i: Index): Term | undefined {
    if (i === 0) return 0;
    if (i >= this.unstableOffset && i < this.unstableOffset + this.unstable.length) {
      return this.unstable[i - this.unstableOffset]?.term;
    }
    if (this.pendingSnapshot) {
      if (i === this.pendingSnapshot.index) return this.pendingSnapshot.term;
      return undefined;
    }
    if (i >= this.unstableOffset) return undefined;
    return this.storage.term(i);
  }

  matchTerm(i: Index, t: Term): boolean {
    return this.term(i) === t;
  }

  /** True when a log ending at (lastIndex, lastTerm) is at least as up to date as ours (§5.4.1). */
  isUpToDate(lastIndex: Index, lastTerm: Term): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Entries in [lo, hi) up to maxBytes (at least one). Undefined when lo is compacted away. */
  slice(lo: Index, hi: Index, maxBytes: number): Entry[] | undefined {
    if (lo >= hi) return [];
    if (lo < this.firstIndex()) return undefined;
    const out: Entry[] = [];
    let bytes = 0;
    if (lo < this.unstableOffset) {
      const storedHi = Math.min(hi, this.unstableOffset);
      for (const e of this.storage.entries(lo, storedHi, maxBytes)) {
        if (out.length > 0 && bytes + e.data.length > maxBytes) return out;
        bytes += e.data.length;
        out.push(e);
      }
      if (out.length < storedHi - lo) return out;
      lo = storedHi;
    }
    for (let i = lo; i < hi; i++) {
      const e = this.unstable[i - this.unstableOffset];
      if (!e) break;
      if (out.length > 0 && bytes + e.data.length > maxBytes) break;
      bytes += e.data.length;
      out.push(e);
    }
    return out;
  }

  /** Appends entries, truncating any conflicting suffix. Returns the new last index. */
  append(entries: readonly Entry[]): Index {
    const first = entries[0];
    if (!first) return this.lastIndex();
    if (first.index <= this.committed) {
      throw new RaftInvariantError(`append at ${first.index} would overwrite committed index ${this.committed}`);
    }
    if (first.index > this.lastIndex() + 1) {
      throw new RaftInvariantError(`append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    }
    if (first.index <= this.lastIndex()) this.onTruncate(first.index - 1);
    if (first.index === this.unstableOffset + this.unstable.length) {
      this.unstable.push(...entries);
    } else if (first.index <= this.unstableOffset) {
      // Replaces everything from first.index on, including entries already in storage: the driver's
      // storage.append truncates its conflicting suffix when it receives these.
      this.unstableOffset = first.index;
      this.unstable = [...entries];
    } else {
      this.unstable = [...this.unstable.slice(0, first.index - this.unstableOffset), ...entries];
    }
    return this.lastIndex();
  }

  /**
   * The first entry in `entries` whose term disagrees with ours, or that we do not have; 0 when all agree.
   */
  findConflict(entries: readonly Entry[]): Index {
    for (const e of entries) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index ≤ `index` whose term is ≤ `term` (etcd's findConflictByTerm). Used on both sides of
   * fast backtracking. Stops at the compaction boundary.
   */
  findConflictByTerm(index: Index, term: Term): { index: Index; term: Term } {
    let i = Math.min(index, this.lastIndex());
    for (;;) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
      i--;
    }
  }

  /** AppendEntries receiver rule. Returns the index of the last new entry, or undefined on mismatch. */
  maybeAppend(prevIndex: Index, prevTerm: Term, commit: Index, entries: readonly Entry[]): Index | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      if (conflict <= this.committed) {
        throw new RaftInvariantError(`entry ${conflict} conflicts with committed entry (commit ${this.committed})`);
      }
      this.append(entries.slice(conflict - (prevIndex + 1)));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  commitTo(index: Index): void {
    if (index > this.committed) {
      if (index > this.lastIndex()) {
        throw new RaftInvariantError(`commit ${index} beyond last index ${this.lastIndex()}`);
      }
      this.committed = index;
    }
  }

  /** Replaces the whole log with a received snapshot. */
  restore(meta: SnapshotMeta): void {
    this.pendingSnapshot = meta;
    this.pendingSnapshotHanded = false;
    this.unstable = [];
    this.unstableOffset = meta.index + 1;
    this.committed = meta.index;
  }

  /** The snapshot at `index` is durable in storage: storage answers for the log again. */
  snapshotPersisted(index: Index): void {
    if (this.pendingSnapshot?.index === index && this.pendingSnapshotHanded) this.pendingSnapshot = undefined;
  }

  /** Last index whose entry (as the core sees it) is already in storage (0 while a snapshot is pending). */
  stableLastIndex(): Index {
    if (this.pendingSnapshot) return 0;
    return this.unstable.length > 0 ? this.unstableOffset - 1 : this.lastIndex();
  }

  /** True while a handed-over snapshot is not yet durable, so entries after it are held back. */
  isHoldingEntries(): boolean {
    return this.pendingSnapshot !== undefined && this.pendingSnapshotHanded;
  }

  hasUnstable(): boolean {
    if (this.pendingSnapshot) return !this.pendingSnapshotHanded;
    return this.unstable.length > 0;
  }

  /**
   * Hands the unstable part to the driver, which writes it to storage before the core runs again. A
   * snapshot goes alone; entries after it follow once it is durable.
   */
  takeUnstable(): { entries: Entry[]; snapshot: SnapshotMeta | undefined } {
    if (this.pendingSnapshot) {
      if (this.pendingSnapshotHanded) return { entries: [], snapshot: undefined };
      this.pendingSnapshotHanded = true;
      return { entries: [], snapshot: this.pendingSnapshot };
    }
    const out = { entries: this.unstable, snapshot: undefined };
    this.unstableOffset = this.lastIndex() + 1;
    this.unstable = [];
    return out;
  }
}
