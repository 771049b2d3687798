/** Basic Raft types shared by the core, the driver, storage and transport. */

/** A node id: a positive integer, unique forever within a cluster (ids are never reused). */
export type NodeId = number;
export type Term = number;
export type Index = number;

export const EntryType = {
  /** Application data (a proposal). */
  Normal: 0,
  /** A membership change; `data` is an encoded {@link ConfChange}. */
  ConfChange: 1,
  /** The empty entry a new leader appends to commit its term. */
  Noop: 2,
} as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

/** One log entry. Entries are shared by reference between core, storage and transport: never mutate one. */
export interface Entry {
  readonly index: Index;
  readonly term: Term;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** The state that must be durable before a node answers a vote or acknowledges entries. */
export interface HardState {
  readonly term: Term;
  /** The node voted for in `term`, or 0. */
  readonly vote: NodeId;
  readonly commit: Index;
}

/** A cluster configuration: voters decide elections and commits; learners only receive the log. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** What a snapshot covers: the log prefix up to `index` (of `term`) and the configuration at that point. */
export interface SnapshotMeta {
  readonly index: Index;
  readonly term: Term;
  readonly conf: ConfState;
}

export const ConfChangeType = {
  AddVoter: 0,
  AddLearner: 1,
  RemoveNode: 2,
} as const;
export type ConfChangeType = (typeof ConfChangeType)[keyof typeof ConfChangeType];

/** A single-server membership change. Promoting a learner is `AddVoter` of an existing learner. */
export interface ConfChange {
  readonly type: ConfChangeType;
  readonly node: NodeId;
  /** Opaque to Raft (e.g. the node's address), carried to the application when the change applies. */
  readonly context?: Uint8Array;
}

export const emptyHardState: HardState = Object.freeze({ term: 0, vote: 0, commit: 0 });
