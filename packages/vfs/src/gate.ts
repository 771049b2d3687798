import { ClosedError } from './errors';
import type { FrameSet, PackedFrames } from './frames';
import { unpackFrames } from './frames';
import type { NativeAddon, NativeGatePayload } from './native';
import { loadAddon } from './native';
import { canonicalPath } from './paths';

/**
 * The verdict on a captured transaction. `commit`: it is committed (e.g. by Raft) and its turn
 * has come. `abort-definite`: it certainly never commits. `abort-unknown`: it may still commit
 * elsewhere (the caller must find out).
 */
export type Verdict = 'commit' | 'abort-definite' | 'abort-unknown';

const verdictCodes: Record<Verdict, number> = { commit: 2, 'abort-definite': 3, 'abort-unknown': 4 };

/** How the most recent gate closed. */
export type GateOutcome =
  'none' | 'committed' | 'aborted-definite' | 'aborted-unknown' | 'timed-out' | 'no-gate' | 'local-write-failed';

const outcomes: readonly GateOutcome[] = [
  'none',
  'committed',
  'aborted-definite',
  'aborted-unknown',
  'timed-out',
  'no-gate',
  'local-write-failed',
];

export interface GateStats {
  committed: number;
  aborted: number;
  timedOut: number;
  lastSeq: number;
  lastOutcome: GateOutcome;
}

/** A transaction held at its commit point, waiting for the verdict. */
export interface CapturedTransaction extends FrameSet {
  /** Identifies this gate opening in resolve(). */
  seq: number;
  /** The same pages in the addon's packed form (no copy). */
  packed: PackedFrames;
}

export interface CommitGateOptions {
  /** A writer parked longer than this aborts with "outcome unknown". */
  timeoutMs: number;
  /** Called on the thread that created the gate, once per captured transaction. */
  onCapture: (tx: CapturedTransaction) => void;
  /**
   * Called when onCapture throws. The parked writer is then released with "outcome unknown"
   * (the capture may have gone anywhere). Without it, the error is rethrown.
   */
  onError?: (err: unknown, tx: CapturedTransaction) => void;
}

/**
 * The commit gate of a replicated database (leader side). Every transaction that commits on
 * the database is held at its commit frame; its pages are handed to onCapture and the writing
 * thread stays parked until resolve(). Create it on the thread that runs the replication loop,
 * never on the thread that writes: that thread blocks.
 */
export class CommitGate {
  readonly path: string;
  readonly #native: NativeAddon;
  #open = true;

  constructor(file: string, options: CommitGateOptions) {
    this.#native = loadAddon();
    this.path = canonicalPath(file);
    const { onCapture, onError } = options;
    this.#native.gateOpen(
      this.path,
      (p: NativeGatePayload) => {
        const packed: PackedFrames = { pageSize: p.pageSize, dbSize: p.dbSize, pgnos: p.pgnos, data: p.data };
        const tx: CapturedTransaction = { ...unpackFrames(packed), seq: p.seq, packed };
        try {
          onCapture(tx);
        } catch (err) {
          // never leave the writer parked until the timeout because of a failing handler
          this.#native.gateResolve(this.path, p.seq, verdictCodes['abort-unknown']);
          if (onError === undefined) throw err;
          onError(err, tx);
        }
      },
      options.timeoutMs,
    );
  }

  /**
   * Gives the verdict for gate opening `seq`. Returns false when that opening is no longer
   * waiting (it timed out or the gate was closed): the writer already got an abort.
   */
  resolve(seq: number, verdict: Verdict): boolean {
    if (!this.#open) throw new ClosedError('the commit gate');
    return this.#native.gateResolve(this.path, seq, verdictCodes[verdict]);
  }

  stats(): GateStats {
    const s = this.#native.gateStats(this.path);
    return { ...s, lastOutcome: outcomes[s.lastOutcome] ?? 'none' };
  }

  /**
   * Closes the gate. A writer parked in it is released with "outcome unknown"; later commits
   * on the database fail with "not committed" until a new gate opens.
   */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#native.gateClose(this.path);
  }
}
