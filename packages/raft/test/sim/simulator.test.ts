import type { Mutation } from '../../src';
import { runSchedule } from '../../src/sim/cluster';

// The simulator is the gate for every Raft change: a band of seeds must run clean, and re-introduced bugs
// must be caught. CI also runs thousands of seeds and every mutation through `npm run sim`.

jest.setTimeout(120_000);

async function violations(seeds: readonly number[], nodes: number, mutation?: Mutation): Promise<number> {
  let found = 0;
  for (const seed of seeds) {
    const r = await runSchedule({ seed, nodes, mutations: new Set(mutation ? [mutation] : []) });
    if (r.violations.length > 0) {
      if (mutation) return 1;
      found++;
      console.error(`seed ${seed}: ${r.violations.join('; ')}`);
    }
  }
  return found;
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('deterministic simulator', () => {
  test('3-node schedules with faults keep every safety and liveness property', async () => {
    expect(await violations(range(1, 6), 3)).toBe(0);
  });

  test('5-node schedules with faults keep every safety and liveness property', async () => {
    expect(await violations(range(101, 6), 5)).toBe(0);
  });

  // Seeds on which `npm run sim -- --mutate NAME` reports a violation.
  test.each<[Mutation, number, number]>([
    ['commit-prior-term', 14, 3],
    ['ack-before-fsync', 1, 3],
    ['no-persist-vote', 2, 3],
    ['conf-change-before-term-commit', 2, 3],
    ['reuse-read-context', 537, 5],
  ])('the checkers catch the re-introduced bug %s', async (mutation, seed, nodes) => {
    expect(await violations([seed], nodes, mutation)).toBe(1);
    // The same schedule without the bug is clean.
    expect(await violations([seed], nodes)).toBe(0);
  });
});
