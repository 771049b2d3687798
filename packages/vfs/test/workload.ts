/** Random leader workloads: each step is either one SQL batch (usually one transaction) or a checkpoint. */
export type Step =
  | { kind: 'sql'; sql: string; abort?: 'abort-definite' | 'abort-unknown' }
  | { kind: 'leader-checkpoint'; mode: 'passive' | 'truncate' }
  | { kind: 'follower-checkpoint'; mode: 'passive' | 'truncate' };

export const schema = `
  CREATE TABLE t1 (id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c BLOB);
  CREATE TABLE t2 (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
  CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL);
  INSERT INTO acct (id, bal) VALUES (1, 1000), (2, 1000), (3, 1000), (4, 1000);
`;

const series = (n: number) => `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n})`;

/** One random step; `pageSize` scales row and blob sizes so every page size sees overflow pages. */
export function randomStep(r: () => number, pageSize: number, step: number): Step {
  const int = (n: number) => Math.floor(r() * n);
  const rows = 1 + int(40);
  const blob = 1 + int(pageSize * 3);
  const x = r();
  if (x < 0.2) {
    return {
      kind: 'sql',
      sql: `${series(rows)} INSERT INTO t1 (a, b, c) SELECT abs(random()) % 1000, hex(randomblob(${1 + int(60)})), randomblob(${blob}) FROM s;`,
    };
  }
  if (x < 0.3)
    return {
      kind: 'sql',
      sql: `UPDATE t1 SET b = hex(randomblob(${1 + int(200)})), a = a + 1 WHERE id % ${2 + int(5)} = ${int(2)};`,
    };
  if (x < 0.36) return { kind: 'sql', sql: `DELETE FROM t1 WHERE id % ${3 + int(7)} = ${int(3)};` };
  if (x < 0.46) {
    // a multi-table transaction that keeps sum(bal) constant
    const from = 1 + int(4);
    const to = 1 + int(4);
    const amount = int(50);
    return {
      kind: 'sql',
      sql: `BEGIN; UPDATE acct SET bal = bal - ${amount} WHERE id = ${from}; UPDATE acct SET bal = bal + ${amount} WHERE id = ${to};
            INSERT OR REPLACE INTO t2 (k, v) VALUES (hex(randomblob(4)), randomblob(${blob})); COMMIT;`,
      abort: r() < 0.3 ? (r() < 0.5 ? 'abort-definite' : 'abort-unknown') : undefined,
    };
  }
  if (x < 0.52) {
    return r() < 0.6
      ? { kind: 'sql', sql: 'CREATE INDEX IF NOT EXISTS t1_a ON t1 (a, b);' }
      : { kind: 'sql', sql: 'DROP INDEX IF EXISTS t1_a;' };
  }
  if (x < 0.56) {
    return r() < 0.5
      ? {
          kind: 'sql',
          sql: `CREATE TABLE IF NOT EXISTS extra_${step} (x, y); INSERT INTO extra_${step} VALUES (${step}, randomblob(${blob}));`,
        }
      : { kind: 'sql', sql: `ALTER TABLE t1 ADD COLUMN d${step} INTEGER DEFAULT ${step};` };
  }
  if (x < 0.64) {
    // a transaction larger than the page cache: SQLite spills frames before the commit
    return {
      kind: 'sql',
      sql: `PRAGMA cache_size = 4; BEGIN; ${series(50 + int(150))} INSERT INTO t1 (a, b, c) SELECT i, hex(randomblob(30)), randomblob(${pageSize}) FROM s;
            UPDATE t1 SET a = a + 1 WHERE id % 3 = 0; COMMIT; PRAGMA cache_size = -2000;`,
      abort: r() < 0.2 ? 'abort-definite' : undefined,
    };
  }
  if (x < 0.72) {
    // savepoints rolled back inside a committed transaction
    return {
      kind: 'sql',
      sql: `BEGIN; INSERT INTO t2 (k, v) VALUES (hex(randomblob(6)), randomblob(${blob}));
            SAVEPOINT sp; ${series(20 + int(80))} INSERT INTO t1 (a, b, c) SELECT i, 'sp', randomblob(${blob}) FROM s;
            ROLLBACK TO sp; RELEASE sp; UPDATE acct SET bal = bal + 0 WHERE id = 1;
            INSERT INTO t1 (a, b) VALUES (${step}, 'after'); COMMIT;`,
    };
  }
  if (x < 0.76) return { kind: 'sql', sql: 'VACUUM;' };
  if (x < 0.8) return { kind: 'sql', sql: `DELETE FROM t1 WHERE id > (SELECT max(id) FROM t1) - ${5 + int(100)};` };
  if (x < 0.86) return { kind: 'leader-checkpoint', mode: r() < 0.5 ? 'passive' : 'truncate' };
  if (x < 0.94) return { kind: 'follower-checkpoint', mode: r() < 0.5 ? 'passive' : 'truncate' };
  return {
    kind: 'sql',
    sql: `INSERT INTO t1 (a, b, c) VALUES (${step}, 'aborted', randomblob(${blob}));`,
    abort: r() < 0.5 ? 'abort-definite' : 'abort-unknown',
  };
}
