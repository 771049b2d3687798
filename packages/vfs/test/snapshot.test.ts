import * as fs from 'node:fs';
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import {
  ApplyConnection,
  CommitGate,
  InvalidSnapshotError,
  openDatabase,
  SnapshotReader,
  SqliteNativeError,
} from '../src';
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

describe('installing a snapshot from a file', () => {
  test('streams a spooled snapshot in place; bad input is refused before anything is written', async () => {
    const dir = tempDir('snap-file');
    const source = newReplicatedDb(dir, 'source.db', 4096);
    const target = newReplicatedDb(dir, 'target.db', 4096);
    const spool = path.join(dir, 'snapshot.spool');
    const offset = 37; // a header of the network layer's own: pages need not be aligned in the file
    const captured: PackedFrames[] = [];
    const gate = new CommitGate(source, {
      timeoutMs: 60_000,
      onCapture: (tx) => {
        captured.push(tx.packed);
        gate.resolve(tx.seq, 'commit');
      },
    });
    const worker = new LeaderWorker(source);
    const apply = ApplyConnection.open(target);
    const reader = openDatabase(target, { readonly: true });
    const count = (db: Database.Database) => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
    let snapshot: SnapshotReader | undefined;
    try {
      expect(await worker.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, x, pad); ${insert(20)}`)).toMatchObject({
        ok: true,
      });
      for (const tx of captured) apply.apply(tx);
      expect(count(reader)).toBe(20); // a reader that cached the old state
      // more than 1 MiB of pages: the install reads the file in several chunks
      for (let i = 0; i < 4; i++) expect(await worker.exec(insert(200))).toMatchObject({ ok: true });

      expect((await worker.checkpoint('passive')).result).toMatchObject({ busy: false });
      const expected = pageHashes(source);
      const rows = (await worker.get('SELECT count(*) AS n FROM t')).row!.n as number;
      const atSnapshot = captured.length;
      snapshot = SnapshotReader.open(source);
      expect(snapshot.pageCount).toBe(expected.length);
      expect(snapshot.pageCount * 4096).toBeGreaterThan(1 << 20);
      const fd = fs.openSync(spool, 'w');
      try {
        fs.writeSync(fd, Buffer.alloc(offset, 0xee));
        for (const chunk of snapshot.chunks(64)) {
          fs.writeSync(fd, chunk);
          expect(await worker.exec(`${insert(10)} DELETE FROM t WHERE id % 13 = 0;`)).toMatchObject({ ok: true });
        }
      } finally {
        fs.closeSync(fd);
      }
      const pageCount = snapshot.pageCount;
      snapshot.close();

      // refusals: typed, and the target is exactly as before (content and wal-index)
      const before = pageHashes(target);
      const iChange = apply.walInfo().iChange;
      const short = path.join(dir, 'short.spool');
      fs.writeFileSync(short, fs.readFileSync(spool).subarray(0, fs.statSync(spool).size - 1));
      const fileRefusals: [string, number, string, number, number][] = [
        ['short file', 4096, short, offset, pageCount],
        ['page count too large', 4096, spool, offset, pageCount + 1],
        ['page count too small', 4096, spool, offset, pageCount - 1],
        ['another page size', 1024, spool, offset, pageCount * 4],
        ['wrong offset', 4096, spool, 0, pageCount],
        ['missing file', 4096, path.join(dir, 'none'), offset, pageCount],
        ['a directory', 4096, dir, 0, 1],
        ['the database itself', 4096, target, 0, before.length],
        ['its WAL', 4096, `${target}-wal`, 0, 1],
        ['a negative offset', 4096, spool, -1, pageCount],
        ['a fractional offset', 4096, spool, 0.5, pageCount],
        ['no pages', 4096, spool, offset, 0],
      ];
      const refusals: [string, () => void][] = fileRefusals.map(([what, ...args]) => [
        what,
        () => {
          apply.installSnapshotFile(...args);
        },
      ]);
      refusals.push([
        'a buffer shorter than page 1 says',
        () => {
          apply.installSnapshot(4096, fs.readFileSync(spool).subarray(offset, offset + 4096));
        },
      ]);
      for (const [what, install] of refusals) {
        let refused: unknown;
        try {
          install();
        } catch (err) {
          refused = err;
        }
        expect([what, refused]).toEqual([what, expect.any(InvalidSnapshotError)]);
        expect(apply.walInfo().iChange).toBe(iChange);
      }
      expect(pageHashes(target)).toEqual(before);
      expect(count(reader)).toBe(20);

      // refused while a reader is inside a read transaction, retryable; fine once it ends
      reader.exec('BEGIN');
      count(reader);
      let busy: unknown;
      try {
        apply.installSnapshotFile(4096, spool, offset, pageCount);
      } catch (err) {
        busy = err;
      }
      expect(busy).toBeInstanceOf(SqliteNativeError);
      expect((busy as SqliteNativeError).retryable).toBe(true);
      reader.exec('COMMIT');
      expect(pageHashes(target)).toEqual(before);

      apply.installSnapshotFile(4096, spool, offset, pageCount);
      expect(connectionPageHashes(reader)).toEqual(expected); // no stale page cache
      expect(count(reader)).toBe(rows);
      const fresh = openDatabase(target, { readonly: true });
      expect(count(fresh)).toBe(rows);
      expect(fresh.pragma('integrity_check', { simple: true })).toBe('ok');
      fresh.close();
      expect(pageHashes(target)).toEqual(expected);
      expect(apply.walInfo()).toMatchObject({ mxFrame: 0, nPage: pageCount, iChange: iChange + 1 });

      // replication continues from the snapshot point
      for (const tx of captured.slice(atSnapshot)) apply.apply(tx);
      expect(pageHashes(target)).toEqual(pageHashes(source));
      expect(reader.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      snapshot?.close();
      gate.close();
      apply.close();
      reader.close();
      await worker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
