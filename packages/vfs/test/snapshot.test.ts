import * as fs from 'node:fs';
import { ApplyConnection, CommitGate, openDatabase, SnapshotReader, SqliteNativeError } from '../src';
import type { PackedFrames } from '../src';
import { connectionPageHashes, LeaderWorker, newReplicatedDb, pageHashes, tempDir } from './helpers';

const insert = (n: number) =>
  `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n})
   INSERT INTO t (x, pad) SELECT i, randomblob(1500) FROM s;`;

describe('snapshots', () => {
  test('stream under write load, install under open readers, continue applying', async () => {
    const dir = tempDir('snap');
    const leader = newReplicatedDb(dir, 'leader.db', 4096);
    const follower = newReplicatedDb(dir, 'follower.db', 4096);
    const captured: PackedFrames[] = [];
    const gate = new CommitGate(leader, {
      timeoutMs: 60_000,
      onCapture: (tx) => {
        captured.push(tx.packed);
        gate.resolve(tx.seq, 'commit');
      },
    });
    const worker = new LeaderWorker(leader);
    const apply = ApplyConnection.open(follower);
    const reader = openDatabase(follower, { readonly: true });
    const count = () => (reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
    let snapshot: SnapshotReader | undefined;
    try {
      expect(await worker.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, x, pad); ${insert(50)}`)).toMatchObject({
        ok: true,
      });
      // the follower has the first transactions and a reader that cached them
      for (const tx of captured) apply.apply(tx);
      expect(count()).toBe(50);
      for (let i = 0; i < 5; i++) expect(await worker.exec(insert(100))).toMatchObject({ ok: true });

      // take: complete checkpoint, then hold the file while the leader keeps writing
      expect((await worker.checkpoint('passive')).result).toMatchObject({ busy: false });
      const expected = pageHashes(leader);
      const atSnapshot = captured.length;
      snapshot = SnapshotReader.open(leader);
      expect(snapshot.pageCount).toBe(expected.length);
      const chunks: Buffer[] = [];
      for (const chunk of snapshot.chunks(16)) {
        chunks.push(chunk);
        expect(await worker.exec(`${insert(20)} DELETE FROM t WHERE id % 11 = 0;`)).toMatchObject({ ok: true });
        // a checkpoint cannot write the file while the snapshot holds it
        const ckpt = (await worker.checkpoint('passive')).result!;
        expect(ckpt.checkpointedFrames).toBeLessThan(ckpt.walFrames);
      }
      snapshot.close();
      const image = Buffer.concat(chunks);
      expect(image.length).toBe(expected.length * 4096);

      // install: refused while a reader is inside a read transaction, fine once it ends
      reader.exec('BEGIN');
      count();
      let busy: unknown;
      try {
        apply.installSnapshot(4096, image);
      } catch (err) {
        busy = err;
      }
      expect(busy).toBeInstanceOf(SqliteNativeError);
      expect((busy as SqliteNativeError).retryable).toBe(true);
      reader.exec('COMMIT');
      apply.installSnapshot(4096, image);
      expect(connectionPageHashes(reader)).toEqual(expected); // no stale page cache
      expect(pageHashes(follower)).toEqual(expected);

      // replication continues from the snapshot point
      for (const tx of captured.slice(atSnapshot)) apply.apply(tx);
      expect(pageHashes(follower)).toEqual(pageHashes(leader));
      expect(reader.pragma('integrity_check', { simple: true })).toBe('ok');

      expect((await worker.checkpoint('truncate')).result).toMatchObject({ busy: false });
      expect(apply.checkpoint('truncate').busy).toBe(false);
      await worker.close();
      apply.close();
      reader.close();
      expect(fs.readFileSync(follower).equals(fs.readFileSync(leader))).toBe(true);
    } finally {
      snapshot?.close();
      gate.close();
      apply.close();
      if (reader.open) reader.close();
      await worker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a snapshot needs a fully checkpointed file', async () => {
    const dir = tempDir('snap-busy');
    const file = newReplicatedDb(dir, 'db.db', 4096);
    const gate = new CommitGate(file, { timeoutMs: 60_000, onCapture: (tx) => gate.resolve(tx.seq, 'commit') });
    const worker = new LeaderWorker(file);
    try {
      await worker.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, x, pad); ${insert(30)}`);
      expect(() => SnapshotReader.open(file)).toThrow(/not fully checkpointed/);
      await worker.checkpoint('truncate');
      const s = SnapshotReader.open(file);
      expect(s.pageCount).toBeGreaterThan(1);
      s.close();
    } finally {
      gate.close();
      await worker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
