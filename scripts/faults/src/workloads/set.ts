import type { Database } from 'walraft';
import { checkSet } from '../checkers';
import type { SetOp } from '../history';
import type { Workload, WorkloadOptions } from './workload';

/** Unique inserts, and reads of the whole set (one read per ten operations). */
export function setWorkload(o: WorkloadOptions): Workload<SetOp> {
  let nextElement = 0;
  return {
    name: 'set',
    async setup(db: Database) {
      await db.exec('CREATE TABLE IF NOT EXISTS elements (e INTEGER PRIMARY KEY)');
    },
    next: () => (o.random() < 0.1 ? { f: 'read' } : { f: 'add', element: nextElement++ }),
    async invoke(db, op, consistency) {
      if (op.f === 'add') {
        await db.run('INSERT INTO elements (e) VALUES (?)', [op.element]);
        return { outcome: 'ok', value: op };
      }
      const rows = await db.all('SELECT e FROM elements ORDER BY e', [], { consistency });
      return { outcome: 'ok', value: { f: 'read', elements: rows.map((r) => Number(r.e)) } };
    },
    writes: (op) => op.f === 'add',
    finalReads: () => [{ f: 'read' }],
    check: (history) => checkSet(history),
  };
}
