import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import {
  ApplyConnection,
  CommitGate,
  DatabaseSetupError,
  enableInternalWrites,
  openDatabase,
  registerReplicated,
  unregisterReplicated,
  withInternalWrites,
  withManagedTransaction,
} from '../src';
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

describe('reserved _walraft_ tables', () => {
  let dir: string;
  let file: string;
  let gate: CommitGate;
  let worker: LeaderWorker;
  let db: Database.Database;

  const tokens = () => db.prepare('SELECT term, idx, token FROM _walraft_tokens ORDER BY term, idx').all();
  const rowsBefore = [{ term: 1, idx: 1, token: Buffer.from([1]) }];

  /**
   * Runs sql in a transaction that is always rolled back (nothing can reach the commit gate);
   * returns the error's message, undefined if it ran.
   */
  function attempt(sql: string): string | undefined {
    db.exec('BEGIN');
    try {
      db.exec(sql);
      return undefined;
    } catch (err) {
      // duck-typed: better-sqlite3's errors may come from another test file's realm
      return (err as { message: string }).message;
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  }

  beforeEach(async () => {
    dir = tempDir('reserved');
    file = newReplicatedDb(dir, 'db.db', 4096);
    gate = new CommitGate(file, { timeoutMs: 60_000, onCapture: (tx) => gate.resolve(tx.seq, 'commit') });
    worker = new LeaderWorker(file);
    // the replication layer's own writer sets up its tables
    expect(
      await worker.execInternal(`CREATE TABLE _walraft_tokens (term INTEGER, idx INTEGER, token BLOB, PRIMARY KEY (term, idx));
         CREATE INDEX _walraft_tokens_token ON _walraft_tokens (token);
         CREATE TRIGGER _walraft_tokens_guard BEFORE DELETE ON _walraft_tokens BEGIN SELECT 1; END;
         INSERT INTO _walraft_tokens VALUES (1, 1, x'01');`),
    ).toMatchObject({ ok: true });
    expect(await worker.exec('CREATE TABLE t (a); CREATE VIEW tv AS SELECT * FROM _walraft_tokens;')).toMatchObject({
      ok: true,
    });
    db = openDatabase(file);
  });
  afterEach(async () => {
    db.close();
    gate.close();
    await worker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    `INSERT INTO _walraft_tokens VALUES (2, 2, x'02')`,
    `INSERT OR REPLACE INTO _walraft_tokens VALUES (1, 1, x'02')`,
    `REPLACE INTO main._WALRAFT_TOKENS VALUES (1, 1, x'02')`,
    `INSERT INTO _walraft_tokens SELECT term + 1, idx, token FROM _walraft_tokens`,
    `UPDATE _walraft_tokens SET token = x'02'`,
    `DELETE FROM _walraft_tokens`,
    `DROP TABLE _walraft_tokens`,
    `ALTER TABLE _walraft_tokens ADD COLUMN extra`,
    `ALTER TABLE _walraft_tokens RENAME TO mine`,
    `ALTER TABLE _walraft_tokens RENAME COLUMN token TO t`,
    `ALTER TABLE _walraft_tokens DROP COLUMN token`,
    `CREATE INDEX mine ON _walraft_tokens (idx)`,
    `DROP INDEX _walraft_tokens_token`,
    `CREATE TRIGGER mine AFTER INSERT ON _walraft_tokens BEGIN SELECT 1; END`,
    `CREATE TEMP TRIGGER mine AFTER INSERT ON main._walraft_tokens BEGIN SELECT 1; END`,
    `DROP TRIGGER _walraft_tokens_guard`,
    `CREATE TABLE _walraft_x (a)`,
    `CREATE TABLE _WalRaft_X (a)`,
    `CREATE TABLE IF NOT EXISTS _walraft_tokens (a)`,
    `CREATE TABLE _walraft_x AS SELECT 1`,
    `CREATE TEMP TABLE _walraft_tokens (a)`,
    `CREATE VIEW _walraft_v AS SELECT 1`,
    `CREATE VIRTUAL TABLE _walraft_fts USING fts5 (a)`,
    `CREATE INDEX _walraft_i ON t (a)`,
    `PRAGMA writable_schema = ON`,
    `PRAGMA temp.writable_schema = 1`,
  ])('user SQL is refused: %s', (sql) => {
    expect(attempt(sql)).toBe('not authorized');
    expect(tokens()).toEqual(rowsBefore);
  });

  test('reads are allowed, directly and through views', () => {
    expect(tokens()).toEqual(rowsBefore);
    expect(db.prepare('SELECT count(*) AS n FROM tv').get()).toEqual({ n: 1 });
    const reader = openDatabase(file, { readonly: true });
    expect(reader.prepare('SELECT token FROM _walraft_tokens').pluck().get()).toEqual(Buffer.from([1]));
    reader.close();
  });

  test('a trigger of the user cannot write them for the user', async () => {
    const trigger = `CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO _walraft_tokens VALUES (9, new.a, x'09'); END`;
    expect(await worker.exec(trigger)).toMatchObject({ ok: true });
    const denied = await worker.exec('INSERT INTO t VALUES (1)');
    expect([denied.ok, denied.message]).toEqual([false, 'not authorized']);
    expect(tokens()).toEqual(rowsBefore);
  });

  test('every connection is guarded, however it was opened', () => {
    const raw = new Database(file);
    try {
      expect(() => raw.prepare(`DELETE FROM _walraft_tokens`)).toThrow(/not authorized/);
    } finally {
      raw.close();
    }
  });

  test('with internal writes the writer creates, writes and alters them; the setting is per connection', async () => {
    const sql = `INSERT INTO _walraft_tokens VALUES (2, 1, x'02');
      UPDATE _walraft_tokens SET token = x'11' WHERE term = 1;
      DELETE FROM _walraft_tokens WHERE term = 2;
      ALTER TABLE _walraft_tokens ADD COLUMN at INTEGER;
      CREATE TABLE _walraft_meta (k PRIMARY KEY, v);
      INSERT INTO _walraft_meta VALUES ('applied', 7);`;
    expect(await worker.execInternal(sql)).toMatchObject({ ok: true });
    expect(tokens()).toEqual([{ term: 1, idx: 1, token: Buffer.from([0x11]) }]);
    expect(db.prepare('SELECT v FROM _walraft_meta').pluck().get()).toBe(7);
    // withInternalWrites turned them off again; other connections never had them
    const denied = await worker.exec(`DELETE FROM _walraft_meta`);
    expect([denied.ok, denied.message]).toEqual([false, 'not authorized']);
    expect(attempt(`DELETE FROM _walraft_meta`)).toBe('not authorized');
    expect(await worker.execInternal('DROP TABLE _walraft_meta')).toMatchObject({ ok: true });
  });

  test('enableInternalWrites switches the current connection and reports the previous setting', () => {
    expect(enableInternalWrites(db, true)).toBe(false);
    expect(enableInternalWrites(db, true)).toBe(true);
    expect(attempt(`INSERT INTO _walraft_tokens VALUES (3, 3, x'03')`)).toBeUndefined(); // rolled back
    expect(enableInternalWrites(db, false)).toBe(true);
    expect(attempt(`INSERT INTO _walraft_tokens VALUES (3, 3, x'03')`)).toBe('not authorized');
    expect(withInternalWrites(db, () => attempt(`DELETE FROM _walraft_tokens`))).toBeUndefined();
    expect(attempt(`DELETE FROM _walraft_tokens`)).toBe('not authorized');
    expect(tokens()).toEqual(rowsBefore);
  });

  test('the check runs at prepare: a statement prepared while enabled fails once SQLite re-prepares it', async () => {
    enableInternalWrites(db, true);
    const insert = db.prepare(`INSERT INTO _walraft_tokens VALUES (4, 4, x'04')`);
    enableInternalWrites(db, false);
    expect(await worker.exec('CREATE TABLE u (a)')).toMatchObject({ ok: true }); // a schema change
    db.exec('BEGIN');
    try {
      expect(() => insert.run()).toThrow(/not authorized/);
    } finally {
      db.exec('ROLLBACK');
    }
    expect(tokens()).toEqual(rowsBefore);
  });

  test('walraft_internal() refuses any other key, and cannot run from the schema', async () => {
    const toggle = db.prepare('SELECT walraft_internal(?, 1)');
    for (const key of [Buffer.alloc(16), Buffer.alloc(15), Buffer.alloc(17), 'key', 1, null]) {
      expect(() => toggle.get(key)).toThrow('walraft: not authorized');
    }
    expect(() => db.exec(`SELECT walraft_internal(randomblob(16), 1)`)).toThrow('walraft: not authorized');
    expect(attempt(`DELETE FROM _walraft_tokens`)).toBe('not authorized');
    // DIRECTONLY: a view or trigger (written by anyone) cannot call it
    expect(await worker.exec(`CREATE VIEW v AS SELECT walraft_internal(x'00', 1) AS x`)).toMatchObject({ ok: true });
    expect(() => db.prepare('SELECT * FROM v')).toThrow(/unsafe use of walraft_internal/);
  });

  test('non-replicated databases are unaffected', () => {
    const plain = openDatabase(path.join(dir, 'plain.db'));
    try {
      plain.exec(`CREATE TABLE _walraft_tokens (a); INSERT INTO _walraft_tokens VALUES (1);
        UPDATE _walraft_tokens SET a = 2; CREATE INDEX _walraft_i ON _walraft_tokens (a);
        DELETE FROM _walraft_tokens; DROP TABLE _walraft_tokens`);
      expect(() => plain.prepare('SELECT walraft_internal(?, 1)')).toThrow(/no such function/);
      expect(() => enableInternalWrites(plain, true)).toThrow(DatabaseSetupError);
    } finally {
      plain.close();
    }
  });
});

describe('user SQL inside a managed transaction', () => {
  it('cannot end the transaction that groups it; savepoints stay allowed', () => {
    const dir = tempDir('managed');
    const file = newReplicatedDb(dir, 'db.db', 4096);
    const db = openDatabase(file);
    try {
      db.exec('BEGIN');
      for (const sql of ['COMMIT', 'END', 'ROLLBACK', 'BEGIN']) {
        expect(() => {
          withManagedTransaction(db, () => db.exec(sql));
        }).toThrow(/not authorized/);
        expect(db.inTransaction).toBe(true);
      }
      withManagedTransaction(db, () => {
        db.exec('SAVEPOINT mine; CREATE TEMP TABLE x (a); ROLLBACK TO mine; RELEASE mine');
      });
      expect(db.inTransaction).toBe(true);
      // outside the managed section, the connection's own transaction control works again
      db.exec('ROLLBACK');
      expect(db.inTransaction).toBe(false);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
