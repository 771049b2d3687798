/** The value at quantile q (0–1) of an ascending array (nearest rank); 0 for an empty one. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export function median(xs: readonly number[]): number {
  return quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

/** One measured cell: throughput and latency of the median repetition, and its errors. */
export interface Measured {
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Every repetition's throughput. */
  readonly runs: number[];
}

/** Runs `once` `reps` times; reports the repetition with the median throughput (errors summed). */
export async function repeat(
  reps: number,
  once: () => Promise<{ opsPerSec: number; p50Ms: number; p99Ms: number; errors: number }>,
): Promise<Measured> {
  const results: { opsPerSec: number; p50Ms: number; p99Ms: number; errors: number }[] = [];
  for (let i = 0; i < reps; i++) results.push(await once());
  const byRate = [...results].sort((a, b) => a.opsPerSec - b.opsPerSec);
  const mid = byRate[Math.floor(byRate.length / 2)] ?? { opsPerSec: 0, p50Ms: 0, p99Ms: 0, errors: 0 };
  return {
    opsPerSec: mid.opsPerSec,
    p50Ms: mid.p50Ms,
    p99Ms: mid.p99Ms,
    errors: results.reduce((a, r) => a + r.errors, 0),
    runs: results.map((r) => Math.round(r.opsPerSec)),
  };
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const ms = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
