import type { Message, SnapshotMessage } from '../core/messages';
import type { ConfState, Entry, Index, SnapshotMeta } from '../core/types';
import type { OutgoingSnapshot, ReceivedSnapshot, SnapshotPayload } from './snapshot';

/** Time and scheduling, injected so the same driver runs on real timers and in the simulator. */
export interface Runtime {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls cb after ms; returns a function that cancels it. */
  setTimer(ms: number, cb: () => void): () => void;
  /** Calls cb soon, after the current work (setImmediate in production). */
  defer(cb: () => void): void;
}

/** Moves messages between nodes. Never blocks; may drop (Raft retransmits). */
export interface Transport {
  send(messages: readonly Message[]): void;
  /**
   * Ships a snapshot: the message goes in the header, then the payload's chunks. The transport closes the
   * payload when done and reports the outcome through RaftNode.reportSnapshot.
   */
  sendSnapshot(message: SnapshotMessage, payload: SnapshotPayload): void;
}

/**
 * The replicated application. Entries arrive in log order, each exactly once per process lifetime, except
 * that after a restart entries ≤ appliedIndex() are skipped.
 */
export interface StateMachine {
  /**
   * Index of the last entry the state reflects (0 for none); right after start-up, the index its durable
   * state reflects.
   */
  appliedIndex(): Index;
  /** Applies a normal entry; the result is handed to the proposer (if it is waiting on this node). */
  apply(entry: Entry): unknown;
  /**
   * Called after a conf change entry is applied, with the new configuration — for every conf change entry,
   * also those ≤ appliedIndex() replayed after a restart (the configuration is rebuilt from the log), so it
   * must be idempotent.
   */
  applyConfChange?(entry: Entry, conf: ConfState): void;
  /**
   * Makes the state durable up to the last applied entry and returns its index (≤ last applied). The log
   * is later compacted up to a previously returned index.
   */
  checkpoint(): Promise<Index>;
  /**
   * Opens a consistent copy of the state to send to a lagging follower: the bytes of the state after every
   * entry up to the returned `index` (≥ the log's compaction boundary), streamed while applies continue.
   */
  openSnapshot(): Promise<OutgoingSnapshot>;
  /**
   * Replaces the state with a received snapshot (its bytes reflect every entry up to meta.index) and makes
   * it durable. The driver closes `snapshot` afterwards.
   */
  restore(meta: SnapshotMeta, snapshot: ReceivedSnapshot): Promise<void>;
}
