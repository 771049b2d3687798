import type { Entry, HardState, Index, SnapshotMeta, Term } from '../core/types';

/**
 * The read side of the Raft log as the core sees it (etcd-io/raft's Storage shape).
 * Every method is synchronous: implementations keep an in-memory index of (index → term, file offset)
 * and a cache of the hot tail, and read older entries from disk synchronously when needed.
 */
export interface LogReader {
  /** Index of the first entry still in the log (snapshot index + 1 after compaction). */
  firstIndex(): Index;
  /** Index of the last entry, or the snapshot index when the log is empty. */
  lastIndex(): Index;
  /**
   * Term of entry `i`, for firstIndex()-1 ≤ i ≤ lastIndex() (firstIndex()-1 answers with the snapshot's term).
   * Returns undefined outside that range.
   */
  term(i: Index): Term | undefined;
  /** Entries in [lo, hi), at most `maxBytes` of data, but always at least one when lo < hi. */
  entries(lo: Index, hi: Index, maxBytes: number): Entry[];
  /** The latest durable snapshot's metadata (index 0 when there is none). */
  snapshot(): SnapshotMeta;
}

/**
 * Durable Raft storage used by the RaftNode driver. Writes are buffered and become durable together on
 * the next `sync()` (group commit: one fsync covers every append and hard state since the last one).
 *
 * Failure semantics: any write or fsync error is fatal. `sync()` rejects, and every later call throws;
 * nothing written after the failure may ever be acknowledged.
 */
export interface RaftStorage extends LogReader {
  /** The state found at start-up. */
  initialHardState(): HardState;
  /**
   * Appends entries. If entries[0].index ≤ lastIndex(), the conflicting suffix from entries[0].index is
   * truncated first (and dropped from any cache). entries[0].index must be ≤ lastIndex() + 1 and
   * > snapshot().index. Visible to the read side immediately; durable after the next sync().
   */
  append(entries: readonly Entry[]): void;
  /** Records the hard state; durable after the next sync(). */
  setHardState(hs: HardState): void;
  /** Makes every append and hard state recorded before this call durable. */
  sync(): Promise<void>;
  /**
   * Installs a snapshot boundary: the log is reset to start after meta.index (entries ≤ meta.index are
   * dropped; later entries are kept only if entry meta.index has term meta.term). The read side reflects the
   * new boundary as soon as this is called (firstIndex() = meta.index + 1, term(meta.index) = meta.term,
   * snapshot() = meta); durable when the returned promise resolves.
   */
  installSnapshot(meta: SnapshotMeta): Promise<void>;
  /**
   * Moves the snapshot boundary forward after the application made its state durable at `boundary.index`
   * (≤ lastIndex()): entries ≤ boundary.index are dropped and snapshot() returns `boundary` (whose conf is
   * the configuration at that index). Durable when it resolves; the read side may change at once.
   */
  compact(boundary: SnapshotMeta): Promise<void>;
  close(): Promise<void>;
}
