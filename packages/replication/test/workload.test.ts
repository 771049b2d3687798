// A seeded random workload through the leader — inserts, updates, deletes, multi-statement and interactive
// transactions, savepoints rolled back, schema changes, indexes, blobs with overflow pages, VACUUM, and
// non-deterministic SQL — then every replica is page-identical with integrity ok.
import { newToken } from '../src';
import type { Statement } from '../src';
import type { Member } from './helpers';
import { rng, SqliteCluster } from './helpers';

jest.setTimeout(120_000);

const run = (sql: string, params?: unknown[]): Statement => ({ sql, mode: 'run', ...(params ? { params } : {}) });

/** One random request: a list of statements that run atomically. */
function randomRequest(random: () => number, step: number): Statement[] {
  const pick = random();
  const size = (): number => (random() < 0.1 ? 3000 + Math.floor(random() * 30_000) : Math.floor(random() * 200));
  if (pick < 0.35)
    return [run('INSERT INTO items (k, v, b) VALUES (?, random(), randomblob(?))', [`k${step}`, size()])];
  if (pick < 0.5) return [run('UPDATE items SET v = v + 1, b = randomblob(?) WHERE id % 7 = ?', [size(), step % 7])];
  if (pick < 0.6) return [run('DELETE FROM items WHERE id % 11 = ?', [step % 11])];
  if (pick < 0.75) {
    return [
      run("INSERT INTO log (at, what) VALUES (datetime('now'), ?)", [`batch ${step}`]),
      run('INSERT INTO items (k, v, b) SELECT k || ?, v * 2, b FROM items WHERE id % 13 = 0 LIMIT 20', [`-${step}`]),
      run('UPDATE counters SET n = n + (SELECT count(*) FROM items) WHERE name = ?', ['total']),
    ];
  }
  if (pick < 0.85) {
    // a savepoint rolled back inside the request leaves only the outer changes
    return [
      {
        sql: `SAVEPOINT s; INSERT INTO log (at, what) VALUES (1, 'undone ${step}'); ROLLBACK TO s; RELEASE s`,
        mode: 'exec',
      },
      run('INSERT INTO log (at, what) VALUES (2, ?)', [`kept ${step}`]),
    ];
  }
  if (pick < 0.9)
    return [
      {
        sql: `ALTER TABLE log ADD COLUMN c${step} TEXT; CREATE INDEX IF NOT EXISTS items_v ON items (v)`,
        mode: 'exec',
      },
    ];
  if (pick < 0.93) return [{ sql: 'DROP INDEX IF EXISTS items_v', mode: 'exec' }];
  if (pick < 0.96) return [run('VACUUM')];
  return [run('INSERT INTO items (k, v, b) VALUES (?, 0, zeroblob(?))', [`big${step}`, 200_000])];
}

describe('a random workload on 3 nodes', () => {
  let c: SqliteCluster;
  afterAll(async () => {
    await c.close();
  });

  it('leaves every replica page-identical, integrity ok', async () => {
    const seed = Number(process.env.WALRAFT_SEED ?? Date.now() % 100_000);
    const random = rng(seed);
    c = new SqliteCluster({ checkpointEvery: 60, checkpointWalFrames: 200 });
    await c.startAll(3);
    const l: Member = await c.leader();
    await l.sm.createDatabase('w.db', 1024);
    await l.sm.write('w.db', {
      token: newToken(),
      statements: [
        {
          sql: `CREATE TABLE items (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v INTEGER, b BLOB);
                CREATE TABLE log (id INTEGER PRIMARY KEY, at, what TEXT);
                CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER); INSERT INTO counters VALUES ('total', 0)`,
          mode: 'exec',
        },
      ],
    });
    let failures = 0;
    for (let step = 0; step < 400; step += 4) {
      // a few requests at once, so they share group commits; some fail (e.g. a duplicate key) on their own
      const batch = [0, 1, 2, 3].map((i) =>
        l.sm.write('w.db', { token: newToken(), statements: randomRequest(random, step + i) }).catch(() => {
          failures++;
        }),
      );
      if (random() < 0.2) {
        const tx = await l.sm.begin('w.db', newToken());
        await tx.run(run('INSERT INTO items (k, v) VALUES (?, ?)', [`tx${step}`, step]));
        await tx.run(run('UPDATE counters SET n = n - 1'));
        if (random() < 0.5) await tx.commit();
        else await tx.rollback();
      }
      await Promise.all(batch);
    }
    const hashes = await c.converged('w.db').catch((err: unknown) => {
      throw new Error(`seed ${seed}: ${(err as Error).message}`, { cause: err });
    });
    expect(hashes.size).toBe(3);
    for (const m of c.members.values()) {
      expect(m.sm.database('w.db').reader().pragma('integrity_check', { simple: true })).toBe('ok');
    }
    expect(failures).toBeLessThan(400);
    if (process.env.WALRAFT_TEST_LOG) {
      const db = l.sm.database('w.db').reader();
      console.warn({
        seed,
        failures,
        items: db.prepare('SELECT count(*) AS n FROM items').get(),
        pages: db.pragma('page_count', { simple: true }),
        seq: l.sm.database('w.db').seq,
      });
    }
  });
});
