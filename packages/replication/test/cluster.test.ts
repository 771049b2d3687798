import {
  newToken,
  NotLeaderError,
  ReadTransactionTimeoutError,
  SqliteError,
  TokenReusedError,
  TransactionIdleTimeoutError,
  TransactionTooLargeError,
} from '../src';
import type { Member } from './helpers';
import { request, SqliteCluster, write } from './helpers';

jest.setTimeout(120_000);

function integrity(m: Member, db: string): string {
  return m.sm.database(db).reader().pragma('integrity_check', { simple: true }) as string;
}

function count(m: Member, db: string, table: string): number {
  return (m.sm.database(db).reader().prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('replicated SQLite on a 3-node cluster', () => {
  let c: SqliteCluster;
  beforeAll(async () => {
    c = new SqliteCluster({ checkpointEvery: 200, checkpointWalFrames: 300, idleTransactionMs: 1_000 });
    await c.startAll(3);
    const l = await c.leader();
    await l.sm.createDatabase('app.db');
    await write(l, 'app.db', 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, b BLOB)');
    await write(l, 'app.db', 'CREATE UNIQUE INDEX t_v ON t (v)');
  });
  afterAll(async () => {
    await c.close();
  });

  it('replicates transactions page for page, with random() and datetime(now) evaluated once', async () => {
    const l = await c.leader();
    for (let i = 0; i < 50; i++) {
      await write(l, 'app.db', "INSERT INTO t (v, b) VALUES (? || random() || datetime('now'), randomblob(?))", [
        `row${i}-`,
        i % 10 === 0 ? 20_000 : 10,
      ]);
    }
    const hashes = await c.converged('app.db');
    expect(hashes.size).toBe(3);
    for (const m of c.members.values()) {
      expect(integrity(m, 'app.db')).toBe('ok');
      expect(count(m, 'app.db', 't')).toBeGreaterThanOrEqual(50);
    }
  });

  it('commits concurrent writers in groups; a failing request gets its own SQLite error', async () => {
    const l = await c.leader();
    await write(l, 'app.db', 'INSERT INTO t (v) VALUES (?)', ['taken']);
    const before = count(l, 'app.db', 't');
    const results = await Promise.allSettled(
      Array.from({ length: 64 }, (_, i) =>
        write(l, 'app.db', 'INSERT INTO t (v) VALUES (?)', [i === 17 ? 'taken' : `g${i}`]),
      ),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ i, err: r.reason as Error }] : []));
    expect(failed.map((f) => f.i)).toEqual([17]);
    expect(failed[0]?.err).toBeInstanceOf(SqliteError);
    expect((failed[0]?.err as SqliteError).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect((failed[0]?.err as SqliteError).definite).toBe(true);
    expect(count(l, 'app.db', 't')).toBe(before + 63);
    await c.converged('app.db');
  });

  it('runs interactive transactions: commit is replicated, rollback leaves nothing', async () => {
    const l = await c.leader();
    const before = count(l, 'app.db', 't');
    const tx = await l.sm.begin('app.db', newToken());
    await tx.run({ sql: 'INSERT INTO t (v) VALUES (?)', params: ['tx1'], mode: 'run' });
    const r = await tx.run({ sql: "SELECT count(*) AS n FROM t WHERE v = 'tx1'", mode: 'all' });
    expect(r.rows).toEqual([{ n: 1 }]);
    await tx.commit();
    const tx2 = await l.sm.begin('app.db', newToken());
    await tx2.run({ sql: 'INSERT INTO t (v) VALUES (?)', params: ['tx2'], mode: 'run' });
    await tx2.rollback();
    expect(count(l, 'app.db', 't')).toBe(before + 1);
    await c.converged('app.db');
    for (const m of c.members.values()) expect(count(m, 'app.db', 't')).toBe(before + 1);
  });

  it('recovers tokens: committed is true, unseen is burnt as false and can never commit', async () => {
    const l = await c.leader();
    const req = request('INSERT INTO t (v) VALUES (?)', ['recover-me']);
    await l.sm.write('app.db', req);
    await expect(l.sm.recover('app.db', req.token)).resolves.toBe(true);
    const never = newToken();
    await expect(l.sm.recover('app.db', never)).resolves.toBe(false);
    await expect(
      l.sm.write('app.db', { token: never, statements: [{ sql: "INSERT INTO t (v) VALUES ('late')", mode: 'run' }] }),
    ).rejects.toBeInstanceOf(TokenReusedError);
    await expect(l.sm.recover('app.db', never)).resolves.toBe(false);
  });

  it('keeps user SQL away from the token table', async () => {
    const l = await c.leader();
    await expect(write(l, 'app.db', 'DELETE FROM _walraft_tokens')).rejects.toBeInstanceOf(SqliteError);
    await expect(write(l, 'app.db', 'DROP TABLE _walraft_tokens')).rejects.toBeInstanceOf(SqliteError);
  });

  it('refuses writes on a follower with a definite NotLeaderError', async () => {
    const l = await c.leader();
    const f = [...c.members.values()].find((m) => m.id !== l.id);
    if (!f) throw new Error('no follower');
    await expect(write(f, 'app.db', "INSERT INTO t (v) VALUES ('x')")).rejects.toBeInstanceOf(NotLeaderError);
  });

  it('replicates schema changes, transactions that spill the page cache, and VACUUM', async () => {
    const l = await c.leader();
    const ddl = (sql: string) => l.sm.write('app.db', { token: newToken(), statements: [{ sql, mode: 'exec' }] });
    await ddl('CREATE TABLE big (id INTEGER PRIMARY KEY, payload BLOB); CREATE INDEX big_len ON big (length(payload))');
    // ~6 MB in one transaction: far beyond the default page cache, so SQLite spills pages to the WAL early
    await l.sm.write('app.db', {
      token: newToken(),
      statements: [
        {
          sql: 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) INSERT INTO big (payload) SELECT randomblob(4000) FROM n',
          mode: 'run',
        },
      ],
    });
    await ddl(
      "ALTER TABLE big ADD COLUMN note TEXT; UPDATE big SET note = datetime('now'); DELETE FROM big WHERE id % 3 = 0",
    );
    const [vac] = await write(l, 'app.db', 'VACUUM');
    expect(vac?.changes).toBe(0);
    await write(l, 'app.db', 'INSERT INTO big (payload) VALUES (randomblob(10))');
    await c.converged('app.db');
    for (const m of c.members.values()) {
      expect(integrity(m, 'app.db')).toBe('ok');
      expect(count(m, 'app.db', 'big')).toBe(1001);
    }
  });

  it('refuses SQL in a request that would end the transaction grouping it', async () => {
    const l = await c.leader();
    const before = count(l, 'app.db', 't');
    const results = await Promise.allSettled([
      write(l, 'app.db', 'INSERT INTO t (v) VALUES (?)', ['ok-1']),
      l.sm.write('app.db', {
        token: newToken(),
        statements: [{ sql: "INSERT INTO t (v) VALUES ('sneaky'); COMMIT", mode: 'exec' }],
      }),
      write(l, 'app.db', 'INSERT INTO t (v) VALUES (?)', ['ok-2']),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(count(l, 'app.db', 't')).toBe(before + 2);
  });

  it('rolls back an interactive transaction left idle', async () => {
    const l = await c.leader();
    const tx = await l.sm.begin('app.db', newToken());
    await tx.run({ sql: "INSERT INTO t (v) VALUES ('idle')", mode: 'run' });
    await new Promise((r) => setTimeout(r, 1_200));
    await expect(tx.commit()).rejects.toBeInstanceOf(TransactionIdleTimeoutError);
    // the writer is free again
    await write(l, 'app.db', "INSERT INTO t (v) VALUES ('after-idle')");
    expect(l.sm.database('app.db').reader().prepare("SELECT count(*) AS n FROM t WHERE v = 'idle'").get()).toEqual({
      n: 0,
    });
  });

  it('streams query results, and ends a read transaction held too long so checkpoints can pass it', async () => {
    const l = await c.leader();
    const d = l.sm.database('app.db');
    let n = 0;
    for await (const row of d.iterate('SELECT id FROM t', undefined, 10_000, 16)) {
      expect(row).toHaveProperty('id');
      n++;
    }
    expect(n).toBe(count(l, 'app.db', 't'));
    const slow = async (): Promise<number> => {
      let seen = 0;
      for await (const row of d.iterate('SELECT id FROM t', undefined, 150, 4)) {
        if (row !== undefined) seen++;
        await new Promise((r) => setTimeout(r, 20));
      }
      return seen;
    };
    await expect(slow()).rejects.toBeInstanceOf(ReadTransactionTimeoutError);
    const r = await d.checkpoint('full');
    expect(r.complete).toBe(true);
  });

  it('refuses a transaction above the maximum entry size before proposing (definite)', async () => {
    const l = await c.leader();
    const before = l.node.status().lastIndex;
    const err = await write(l, 'app.db', 'INSERT INTO t (v, b) VALUES (?, randomblob(17000000))', ['huge']).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransactionTooLargeError);
    expect((err as TransactionTooLargeError).definite).toBe(true);
    expect(l.node.status().lastIndex).toBe(before);
    expect(l.sm.database('app.db').reader().prepare("SELECT count(*) AS n FROM t WHERE v = 'huge'").get()).toEqual({
      n: 0,
    });
  });

  it('brings a restarted follower back page-identical (log replay over its recovered WAL)', async () => {
    const l = await c.leader();
    const f = [...c.members.values()].find((m) => m.id !== l.id);
    if (!f) throw new Error('no follower');
    await c.stop(f.id);
    for (let i = 0; i < 30; i++) await write(l, 'app.db', 'INSERT INTO t (v) VALUES (?)', [`while-down-${i}`]);
    await c.start(f.id);
    await c.converged('app.db');
    const back = c.members.get(f.id);
    if (!back) throw new Error('not restarted');
    expect(integrity(back, 'app.db')).toBe('ok');
  });

  it('catches a new node up by snapshot after the log was compacted', async () => {
    const l = await c.leader();
    // one entry per write; the log is compacted up to the previous checkpoint (every 200 entries)
    for (let i = 0; l.node.status().snapshotIndex === 0; i++) {
      if (i > 2_000) throw new Error('the log was never compacted');
      await write(l, 'app.db', 'INSERT INTO t (v, b) VALUES (?, randomblob(2000))', [`bulk-${i}`]);
    }
    await c.start(4, { join: [l.id] });
    const hashes = await c.converged('app.db');
    expect(hashes.size).toBe(4);
    const joined = c.members.get(4);
    if (!joined) throw new Error('node 4 missing');
    expect(integrity(joined, 'app.db')).toBe('ok');
    expect(count(joined, 'app.db', 't')).toBe(count(l, 'app.db', 't'));
  });
});
