import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { ApplyConnection, CommitGate, openDatabase, registerReplicated, unregisterReplicated } from '../src';
import { LeaderWorker, newReplicatedDb, tempDir } from './helpers';

describe('guard rails on replicated databases', () => {
  let dir: string;
  let file: string;
  let db: Database.Database;

  beforeEach(() => {
    dir = tempDir('guard');
    file = newReplicatedDb(dir, 'db.db', 4096);
    db = openDatabase(file);
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every connection runs in WAL mode with synchronous=NORMAL and no automatic checkpoints', () => {
    const reader = openDatabase(file, { readonly: true });
    const raw = new Database(file); // not through openDatabase: the settings apply all the same
    for (const c of [db, reader, raw]) {
      expect(c.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(c.pragma('synchronous', { simple: true })).toBe(1);
      // a raw connection still reports SQLite's default, but the shim keeps it from checkpointing
      expect(c.pragma('wal_autocheckpoint', { simple: true })).toBe(c === raw ? 1000 : 0);
      expect(c.pragma('locking_mode', { simple: true })).toBe('normal');
      expect(() => c.exec(`ATTACH '${path.join(dir, 'other.db')}' AS other`)).toThrow(/not authorized/);
    }
    raw.close();
    reader.close();
  });

  test.each([
    'journal_mode = DELETE',
    'journal_mode = MEMORY',
    'locking_mode = EXCLUSIVE',
    'page_size = 8192',
    'wal_autocheckpoint = 1000',
    'wal_checkpoint',
    'wal_checkpoint(TRUNCATE)',
    'synchronous = FULL',
    'synchronous = OFF',
  ])('PRAGMA %s is refused', (pragma) => {
    expect(() => db.pragma(pragma)).toThrow(/on a replicated database is not allowed/);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
  });

  test('settings that are already in force may be restated', () => {
    expect(() => db.pragma('journal_mode = WAL')).not.toThrow();
    expect(() => db.pragma('synchronous = NORMAL')).not.toThrow();
    expect(() => db.pragma('wal_autocheckpoint = 0')).not.toThrow();
    expect(() => db.pragma('locking_mode = NORMAL')).not.toThrow();
  });

  test('automatic checkpoints never run, whatever the connection says; explicit ones do', async () => {
    const gate = new CommitGate(file, { timeoutMs: 60_000, onCapture: (tx) => gate.resolve(tx.seq, 'commit') });
    const worker = new LeaderWorker(file, { raw: true });
    const apply = ApplyConnection.open(file);
    try {
      expect((await worker.get('PRAGMA wal_autocheckpoint')).row).toEqual({ wal_autocheckpoint: 1000 });
      const big = `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1200)
                   INSERT INTO t SELECT randomblob(3000) FROM s`;
      expect(await worker.exec(`CREATE TABLE t (x); ${big}`)).toMatchObject({ ok: true });
      expect(await worker.exec('INSERT INTO t VALUES (1)')).toMatchObject({ ok: true });
      const info = apply.walInfo();
      expect(info.mxFrame).toBeGreaterThan(1000);
      expect(info.nBackfill).toBe(0);
      expect(apply.checkpoint('passive')).toMatchObject({ busy: false, checkpointedFrames: info.mxFrame });
      expect(apply.walInfo().nBackfill).toBe(info.mxFrame);
    } finally {
      apply.close();
      gate.close();
      await worker.close();
    }
  });

  test('ATTACH of a file is refused, of a temporary database allowed', () => {
    expect(() => db.exec(`ATTACH '${path.join(dir, 'other.db')}' AS other`)).toThrow(/not authorized/);
    expect(fs.existsSync(path.join(dir, 'other.db'))).toBe(false);
    db.exec(`ATTACH ':memory:' AS scratch`);
    db.exec('DETACH scratch');
  });

  test('a replicated path is never created implicitly (VACUUM INTO, plain open)', () => {
    const target = registerReplicated(path.join(dir, 'target.db'));
    try {
      expect(() => db.exec(`VACUUM INTO '${target}'`)).toThrow();
      expect(() => new Database(target)).toThrow();
      expect(fs.existsSync(target)).toBe(false);
      // VACUUM INTO attaches its target, which the authorizer refuses
      expect(() => db.exec(`VACUUM INTO '${file}'`)).toThrow(/authorization denied/);
    } finally {
      unregisterReplicated(target);
    }
  });

  test('closing the last connection keeps the WAL (no checkpoint on close)', () => {
    const plain = new Database(path.join(dir, 'plain.db'));
    plain.pragma('journal_mode = WAL');
    plain.exec('CREATE TABLE t (x)');
    plain.close();
    expect(fs.existsSync(path.join(dir, 'plain.db-wal'))).toBe(false); // unreplicated: SQLite's default

    const apply = openDatabase(file, { readonly: true });
    db.close();
    apply.close();
    // the WAL of the replicated database survives (it was opened, so it exists)
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    db = openDatabase(file);
  });

  test('unreplicated databases pass straight through to SQLite', () => {
    const plain = openDatabase(path.join(dir, 'plain.db'));
    try {
      expect(plain.pragma('journal_mode = DELETE', { simple: true })).toBe('delete');
      plain.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      plain.pragma('journal_mode = WAL');
      plain.pragma('wal_checkpoint(TRUNCATE)');
      expect(plain.prepare('SELECT x FROM t').get()).toEqual({ x: 1 });
    } finally {
      plain.close();
    }
  });
});
