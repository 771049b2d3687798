// The history a fault run records: one entry per operation a client attempted, with when it was invoked and
// when it completed (milliseconds since the run started), and how it ended:
//   ok   – acknowledged (a write committed; a read returned a value);
//   fail – certainly had no effect (a definite error, or a compare-and-set whose compare failed);
//   info – unknown: the write may or may not have committed. Its commit token is kept, and after the
//          cluster heals `recover(token)` fills in `recovered` (true: it committed; false: it never will).

export type Outcome = 'ok' | 'fail' | 'info';

/** `set`: unique inserts, and reads of the whole set. */
export type SetOp = { readonly f: 'add'; readonly element: number } | { f: 'read'; elements?: number[] };

/** `bank`: transfers between accounts, and reads of every balance (account → balance). */
export type BankOp =
  | { readonly f: 'transfer'; readonly from: number; readonly to: number; readonly amount: number }
  | { f: 'read'; balances?: Record<string, number> };

/** `register`: per-key registers; a read of a key never written returns null. */
export type RegisterOp =
  | { readonly f: 'read'; readonly key: number; value?: number | null }
  | { readonly f: 'write'; readonly key: number; readonly value: number }
  | { readonly f: 'cas'; readonly key: number; readonly from: number; readonly to: number };

/**
 * `append` (list-append): a transaction of micro-operations. An append adds a unique value to the end of
 * the key's list; a read returns the whole list (null before the key's first append). In an invocation the
 * reads carry no list; the completed op fills them in.
 */
export type AppendMop = readonly ['append', number, number] | ['r', number, number[] | null];
export type AppendOp = { readonly f: 'txn'; mops: AppendMop[] };

export type OpValue = SetOp | BankOp | RegisterOp | AppendOp;

export interface Op<V extends OpValue = OpValue> {
  /** The client (logical process) that ran it; one operation at a time per process. */
  readonly process: number;
  /** Invocation and completion, ms since the start of the run. */
  readonly invoke: number;
  complete: number;
  outcome: Outcome;
  /** For `ok` operations, reads are filled in. */
  value: V;
  /** The error's code for `fail` and `info`. */
  error?: string;
  /** The commit token (hex) of an `info` write. */
  token?: string;
  /** For `info` writes after recovery: whether the transaction committed. */
  recovered?: boolean;
}

export interface CheckResult {
  readonly valid: boolean;
  /** One human-readable line per anomaly found (empty when valid). */
  readonly anomalies: string[];
  /** Workload-specific counts for the report, e.g. { acknowledged: 812, lost: 0 }. */
  readonly stats: Record<string, number>;
}

/** Whether an operation took effect, as far as the history can tell: undefined for an unresolved `info`. */
export function tookEffect(op: Op): boolean | undefined {
  if (op.outcome === 'ok') return true;
  if (op.outcome === 'fail') return false;
  return op.recovered;
}
