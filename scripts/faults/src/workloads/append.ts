import type { Database } from 'walraft';
import { checkAppend } from '../checkers';
import type { AppendMop, AppendOp } from '../history';
import type { Workload, WorkloadOptions } from './workload';
import { pick } from './workload';

const keys = 8;

/**
 * List-append: transactions of 1–4 appends and reads on a few keys, each in one interactive transaction. A
 * list is stored as comma-separated values; an append adds a value unique to its key.
 */
export function appendWorkload(o: WorkloadOptions): Workload<AppendOp> {
  const nextValue = new Map<number, number>();
  return {
    name: 'append',
    async setup(db: Database) {
      await db.exec('CREATE TABLE IF NOT EXISTS lists (k INTEGER PRIMARY KEY, vals TEXT NOT NULL)');
    },
    next(): AppendOp {
      const mops: AppendMop[] = [];
      const n = 1 + pick(o.random, 4);
      for (let i = 0; i < n; i++) {
        const key = pick(o.random, keys);
        if (o.random() < 0.5) mops.push(['r', key, null]);
        else {
          const v = (nextValue.get(key) ?? 0) + 1;
          nextValue.set(key, v);
          mops.push(['append', key, v]);
        }
      }
      return { f: 'txn', mops };
    },
    async invoke(db, op, consistency) {
      const done: AppendMop[] = [];
      const read = async (get: (k: number) => Promise<{ vals?: unknown } | undefined>, key: number) => {
        const row = await get(key);
        done.push(['r', key, row ? String(row.vals).split(',').map(Number) : null]);
      };
      const readOnly = op.mops.every((m) => m[0] === 'r');
      if (readOnly && op.mops.length === 1 && op.mops[0]) {
        // a single read needs no transaction: it is one statement at the given consistency
        await read((k) => db.get('SELECT vals FROM lists WHERE k = ?', [k], { consistency }), op.mops[0][1]);
        return { outcome: 'ok', value: { f: 'txn', mops: done } };
      }
      await db.transaction(async (tx) => {
        done.length = 0;
        for (const m of op.mops) {
          if (m[0] === 'r') await read((k) => tx.get('SELECT vals FROM lists WHERE k = ?', [k]), m[1]);
          else {
            await tx.run(
              "INSERT INTO lists (k, vals) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET vals = vals || ',' || excluded.vals",
              [m[1], String(m[2])],
            );
            done.push(m);
          }
        }
      });
      return { outcome: 'ok', value: { f: 'txn', mops: done } };
    },
    writes: (op) => op.mops.some((m) => m[0] === 'append'),
    finalReads: () => [{ f: 'txn', mops: Array.from({ length: keys }, (_, k): AppendMop => ['r', k, null]) }],
    check: (history) => checkAppend(history),
  };
}
