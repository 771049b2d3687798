import type { Database } from 'walraft';
import { checkRegister } from '../checkers';
import type { RegisterOp } from '../history';
import type { Workload, WorkloadOptions } from './workload';
import { pick, Refused } from './workload';

const keys = 5;

/** Per-key registers: reads, blind writes and compare-and-set (an interactive transaction). */
export function registerWorkload(o: WorkloadOptions): Workload<RegisterOp> {
  let nextValue = 1;
  return {
    name: 'register',
    async setup(db: Database) {
      await db.exec('CREATE TABLE IF NOT EXISTS registers (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
    },
    next(): RegisterOp {
      const key = pick(o.random, keys);
      const r = o.random();
      if (r < 0.5) return { f: 'read', key };
      if (r < 0.75) return { f: 'write', key, value: nextValue++ };
      // compare against a recent value so that some compares succeed
      return { f: 'cas', key, from: Math.max(1, nextValue - 1 - pick(o.random, 5)), to: nextValue++ };
    },
    async invoke(db, op, consistency) {
      switch (op.f) {
        case 'read': {
          const row = await db.get('SELECT v FROM registers WHERE k = ?', [op.key], { consistency });
          return { outcome: 'ok', value: { f: 'read', key: op.key, value: row ? Number(row.v) : null } };
        }
        case 'write':
          await db.run('INSERT INTO registers (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v', [
            op.key,
            op.value,
          ]);
          return { outcome: 'ok', value: op };
        case 'cas':
          try {
            await db.transaction(async (tx) => {
              const row = await tx.get('SELECT v FROM registers WHERE k = ?', [op.key]);
              if (!row || Number(row.v) !== op.from) throw new Refused('compare failed');
              await tx.run('UPDATE registers SET v = ? WHERE k = ?', [op.to, op.key]);
            });
          } catch (err) {
            if (err instanceof Refused) return { outcome: 'fail', value: op, error: err.code };
            throw err;
          }
          return { outcome: 'ok', value: op };
      }
    },
    writes: (op) => op.f !== 'read',
    finalReads: () => Array.from({ length: keys }, (_, key): RegisterOp => ({ f: 'read', key })),
    check: (history) => checkRegister(history),
  };
}
