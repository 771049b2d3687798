import type { CheckResult, Op, OpValue } from '../history';
import { tookEffect } from '../history';

// The set workload: every element is added by one op, and reads return the whole set. The last read is taken
// after the cluster has healed and every info add has been resolved, so it must hold exactly what committed.

export interface SetOptions {
  /** Anomaly lines written out per kind before the rest are only counted (default 20). */
  readonly maxLinesPerKind?: number;
}

type AddValue = { readonly f: 'add'; readonly element: number };
type ReadValue = { f: 'read'; elements?: number[] };

interface Read {
  readonly op: Op;
  readonly set: ReadonlySet<number>;
}

function asAdd(op: Op): AddValue | undefined {
  const v: OpValue = op.value;
  return v.f === 'add' ? v : undefined;
}

function asRead(op: Op): ReadValue | undefined {
  const v: OpValue = op.value;
  return v.f === 'read' && 'elements' in v ? v : undefined;
}

export function checkSet(history: readonly Op[], opts: SetOptions = {}): CheckResult {
  const limit = opts.maxLinesPerKind ?? 20;
  const adds = new Map<number, Op[]>();
  const stats = {
    attempted: 0,
    acknowledged: 0,
    failed: 0,
    info: 0,
    recoveredCommitted: 0,
    recoveredNot: 0,
    unresolved: 0,
    reads: 0,
    lost: 0,
    phantom: 0,
    aborted: 0,
    finalSize: 0,
  };
  const reads: Read[] = [];
  for (const op of history) {
    const add = asAdd(op);
    if (add !== undefined) {
      stats.attempted++;
      if (op.outcome === 'ok') stats.acknowledged++;
      else if (op.outcome === 'fail') stats.failed++;
      else {
        stats.info++;
        if (op.recovered === true) stats.recoveredCommitted++;
        else if (op.recovered === false) stats.recoveredNot++;
        else stats.unresolved++;
      }
      let ops = adds.get(add.element);
      if (ops === undefined) adds.set(add.element, (ops = []));
      ops.push(op);
      continue;
    }
    const read = asRead(op);
    if (read?.elements !== undefined && op.outcome === 'ok') {
      reads.push({ op, set: new Set(read.elements) });
    }
  }
  stats.reads = reads.length;

  const lines: Record<'phantom' | 'aborted' | 'lost', string[]> = { phantom: [], aborted: [], lost: [] };
  const other: string[] = [];

  // Elements no add attempted, and elements whose add certainly had no effect, in any read.
  const phantom = new Set<number>();
  const aborted = new Set<number>();
  for (const r of reads) {
    for (const e of r.set) {
      const ops = adds.get(e);
      if (ops === undefined) {
        if (!phantom.has(e)) lines.phantom.push(`phantom: element ${e} read by ${describe(r.op)} was never added`);
        phantom.add(e);
      } else if (ops.every((o) => tookEffect(o) === false) && !aborted.has(e)) {
        aborted.add(e);
        const how = ops.map((o) => describe(o)).join(', ');
        lines.aborted.push(
          `aborted add observed: element ${e} read by ${describe(r.op)}, but its add ${how} had no effect`,
        );
      }
    }
  }

  const lost = new Set<number>();
  // The final read: the one invoked last (the latest in the history among equals).
  const final = reads.reduce<Read | undefined>(
    (f, r) => (f === undefined || r.op.invoke >= f.op.invoke ? r : f),
    undefined,
  );
  if (final === undefined) {
    other.push('no final read: no read completed ok');
  } else {
    stats.finalSize = final.set.size;
    for (const [e, ops] of adds) {
      if (final.set.has(e)) continue;
      // an add still running when the final read started may legitimately be missing from it
      const must = ops.find(
        (o) => (o.outcome === 'ok' && o.complete < final.op.invoke) || (o.outcome === 'info' && o.recovered === true),
      );
      if (must !== undefined && !lost.has(e)) {
        lost.add(e);
        lines.lost.push(
          `lost: element ${e} added by ${describe(must)} is missing from the final read ${describe(final.op)}`,
        );
      }
    }
  }

  // Seen, then gone: an element in one read but missing from a read invoked after that one completed.
  const firstSeen = new Map<number, Read>();
  for (const r of reads) {
    for (const e of r.set) {
      const seen = firstSeen.get(e);
      if (seen === undefined || r.op.complete < seen.op.complete) firstSeen.set(e, r);
    }
  }
  const bySeen = [...firstSeen].sort((a, b) => a[1].op.complete - b[1].op.complete);
  for (const r of [...reads].sort((a, b) => a.op.invoke - b.op.invoke)) {
    for (const [e, seen] of bySeen) {
      if (seen.op.complete >= r.op.invoke) break;
      if (r.set.has(e) || lost.has(e)) continue;
      lost.add(e);
      lines.lost.push(
        `lost: element ${e} seen by ${describe(seen.op)} is missing from the later read ${describe(r.op)}`,
      );
    }
  }

  if (stats.unresolved > 0) other.push(`unresolved: ${stats.unresolved} info adds were never resolved`);
  stats.lost = lost.size;
  stats.phantom = phantom.size;
  stats.aborted = aborted.size;
  const anomalies = [
    ...other,
    ...capped('lost', lines.lost, limit),
    ...capped('phantom', lines.phantom, limit),
    ...capped('aborted add observed', lines.aborted, limit),
  ];
  return { valid: anomalies.length === 0, anomalies, stats };
}

function describe(op: Op): string {
  const v: OpValue = op.value;
  const end = op.outcome === 'info' ? `${op.complete}?` : `${op.complete}`;
  const how = op.outcome !== 'info' ? op.outcome : `info/${resolution(op.recovered)}`;
  return `p${op.process} ${v.f} ${how} [${op.invoke},${end}]`;
}

function resolution(recovered: boolean | undefined): string {
  return recovered === undefined ? 'unresolved' : recovered ? 'committed' : 'not-committed';
}

function capped(kind: string, lines: readonly string[], limit: number): string[] {
  if (lines.length <= limit) return [...lines];
  return [...lines.slice(0, limit), `${kind}: ${lines.length - limit} more not shown`];
}
