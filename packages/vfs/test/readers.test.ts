import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ApplyConnection, CommitGate } from '../src';
import { LeaderWorker, newReplicatedDb, pageHashes, rng, tempDir } from './helpers';

interface Tally {
  reads: number;
  violations: string[];
  errors: string[];
  distinctStates: number;
}

const setup = `
  BEGIN;
  CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL);
  INSERT INTO acct VALUES (1, 500), (2, 500), (3, 500), (4, 500);
  CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER, pad BLOB);
  CREATE TABLE c (n INTEGER, s INTEGER, v INTEGER);
  INSERT INTO c VALUES (0, 0, 0);
  COMMIT;`;

describe('follower readers during apply', () => {
  test('readers on other threads always see a consistent snapshot while applies and checkpoints run', async () => {
    const dir = tempDir('readers');
    const leader = newReplicatedDb(dir, 'leader.db', 4096);
    const follower = newReplicatedDb(dir, 'follower.db', 4096);
    const apply = ApplyConnection.open(follower);
    const gate = new CommitGate(leader, {
      timeoutMs: 60_000,
      onCapture: (tx) => {
        // a reader may hold the write lock briefly (recovery): retry, never skip
        for (;;) {
          try {
            apply.apply(tx);
            break;
          } catch (err) {
            if (!(err instanceof Error && 'retryable' in err && err.retryable === true)) throw err;
          }
        }
        gate.resolve(tx.seq, 'commit');
      },
    });
    const writer = new LeaderWorker(leader);
    const readers: Worker[] = [];
    try {
      expect(await writer.exec(setup)).toMatchObject({ ok: true });
      for (let i = 0; i < 3; i++) {
        readers.push(
          new Worker(path.join(__dirname, 'fixtures', 'reader-worker.js'), {
            workerData: { path: follower, expectedSum: 2000 },
          }),
        );
      }
      const r = rng(Number(process.env.WALRAFT_VFS_SEED ?? '42'));
      let restartsSeen = 0;
      let truncates = 0;
      const rounds = Math.round(400 * Number(process.env.WALRAFT_VFS_STEPS ?? '1'));
      for (let i = 0; i < rounds; i++) {
        const from = 1 + Math.floor(r() * 4);
        const to = 1 + Math.floor(r() * 4);
        const rows = 1 + Math.floor(r() * 30);
        const x = Math.floor(r() * 100);
        const reply = await writer.exec(`BEGIN;
          UPDATE acct SET bal = bal - ${x} WHERE id = ${from}; UPDATE acct SET bal = bal + ${x} WHERE id = ${to};
          WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${rows})
            INSERT INTO t (x, pad) SELECT ${x}, randomblob(${100 + Math.floor(r() * 3000)}) FROM s;
          DELETE FROM t WHERE id % 7 = ${i % 7} AND id < (SELECT max(id) - 200 FROM t);
          UPDATE c SET n = (SELECT count(*) FROM t), s = (SELECT coalesce(sum(x), 0) FROM t), v = v + 1;
          COMMIT;`);
        expect(reply).toMatchObject({ ok: true });
        if (i % 10 === 9) {
          const mode = r() < 0.7 ? 'passive' : 'truncate';
          if (!apply.checkpoint(mode).busy && mode === 'truncate') truncates++;
        }
        if (i % 25 === 24) await writer.checkpoint('truncate');
        restartsSeen = apply.walInfo().restarts;
      }
      const tallies = await Promise.all(
        readers.map(
          (w) =>
            new Promise<Tally>((resolve) => {
              w.once('message', resolve);
              w.postMessage('stop');
            }),
        ),
      );
      for (const t of tallies) {
        expect(t.errors).toEqual([]);
        expect(t.violations).toEqual([]);
        expect(t.reads).toBeGreaterThan(0);
        expect(t.distinctStates).toBeGreaterThan(1);
      }
      // readers that only need the database file use READ_LOCK(0), so the WAL restarts under them
      expect(restartsSeen).toBeGreaterThan(0);
      expect(truncates).toBeGreaterThan(0);
      expect(pageHashes(follower)).toEqual(pageHashes(leader));
    } finally {
      await Promise.all(readers.map((w) => w.terminate()));
      gate.close();
      apply.close();
      await writer.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
