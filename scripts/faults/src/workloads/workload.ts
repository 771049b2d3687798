import type { Consistency, Database } from 'walraft';
import type { CheckResult, Op, OpValue, Outcome } from '../history';

/** What one invocation came to, when it did not throw: `ok` with reads filled in, or a refused `fail`. */
export interface Completion<V extends OpValue = OpValue> {
  readonly outcome: Exclude<Outcome, 'info'>;
  readonly value: V;
  readonly error?: string;
}

export interface WorkloadOptions {
  readonly random: () => number;
  /** Consistency of the workload's reads during the run (the final reads are always linearizable). */
  readonly readConsistency: Consistency;
}

/**
 * A workload: a schema, a generator of operations, how to run one through the driver, the final reads
 * after the cluster heals, and the checker of the resulting history.
 */
export interface Workload<V extends OpValue = OpValue> {
  readonly name: string;
  setup(db: Database): Promise<void>;
  /** The next operation to invoke (called once per operation, in any process). */
  next(): V;
  /** Runs it; throws the driver's error when it fails. */
  invoke(db: Database, value: V, consistency: Consistency): Promise<Completion<V>>;
  /** Whether the operation writes (an unknown outcome of a read has no effect to resolve). */
  writes(value: V): boolean;
  /** Reads run on every node once the cluster has healed. */
  finalReads(): V[];
  check(history: Op[]): CheckResult;
}

/** Thrown inside a transaction to roll it back on purpose (a refused transfer, a failed compare). */
export class Refused extends Error {
  readonly code = 'REFUSED';
  constructor(why: string) {
    super(why);
    this.name = 'Refused';
  }
}

/** An integer in [0, n). */
export function pick(random: () => number, n: number): number {
  return Math.floor(random() * n);
}
