import { randomBytes } from 'node:crypto';
import type { Database } from '../database';
import type { Consistency } from '../types';

/** A closed-loop workload: `clients` concurrent loops, each one request at a time, for `seconds`. */
export interface WorkloadSpec {
  readonly db: string;
  /** `write`: kv upserts (32-byte key, 1 KiB value); `read`: point reads of one of `keys` keys. */
  readonly kind: 'write' | 'read';
  readonly clients: number;
  readonly seconds: number;
  readonly consistency?: Consistency;
  /** Keys k0…k(keys-1) that reads pick from (written beforehand). */
  readonly keys?: number;
}

export interface WorkloadResult {
  readonly ops: number;
  readonly errors: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export const value1k = Buffer.alloc(1024, 7);

/** Runs the workload against `db` (one handle per client loop is not needed: handles are stateless). */
export async function runWorkload(db: Database, spec: WorkloadSpec): Promise<WorkloadResult> {
  return runOnHandles(
    Array.from({ length: spec.clients }, () => db),
    spec,
  );
}

/** Runs the workload with one loop per handle (e.g. one remote client each). */
export async function runOnHandles(dbs: readonly Database[], spec: WorkloadSpec): Promise<WorkloadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const keys = spec.keys ?? 1000;
  const start = performance.now();
  const end = start + spec.seconds * 1000;
  const loop = async (db: Database): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        if (spec.kind === 'write') {
          await db.run('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)', [randomBytes(32), value1k]);
        } else {
          await db.get('SELECT v FROM kv WHERE k = ?', [`k${Math.floor(Math.random() * keys)}`], {
            consistency: spec.consistency ?? 'linearizable',
          });
        }
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(dbs.map(loop));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { ops: latencies.length, errors, opsPerSec: latencies.length / elapsed, p50Ms: pct(0.5), p99Ms: pct(0.99) };
}
