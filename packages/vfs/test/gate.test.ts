import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommitGate, openDatabase } from '../src';
import type { CapturedTransaction } from '../src';
import { integrityCheck, LeaderWorker, newReplicatedDb, tempDir } from './helpers';

describe('commit gate', () => {
  let dir: string;
  let file: string;
  let worker: LeaderWorker | undefined;
  const gates: CommitGate[] = [];

  beforeEach(() => {
    dir = tempDir('gate');
    file = newReplicatedDb(dir, 'db.db', 4096);
  });
  afterEach(async () => {
    for (const g of gates.splice(0)) g.close();
    await worker?.close();
    worker = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function open(onCapture: (tx: CapturedTransaction, gate: CommitGate) => void, timeoutMs = 60_000): CommitGate {
    const gate: CommitGate = new CommitGate(file, {
      timeoutMs,
      onCapture: (tx) => {
        onCapture(tx, gate);
      },
    });
    gates.push(gate);
    return gate;
  }

  const count = (db: ReturnType<typeof openDatabase>) =>
    (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;

  test('a gated transaction is invisible until committed, and an aborted one never appears', async () => {
    const reader = openDatabase(file, { readonly: true });
    let seenWhileGated: number | undefined;
    let verdict: 'commit' | 'abort-definite' | 'abort-unknown' = 'commit';
    open((tx, gate) => {
      // the writer thread is parked right now: no reader may see its transaction
      if (reader.prepare("SELECT 1 FROM sqlite_schema WHERE name = 't'").get() !== undefined)
        seenWhileGated = count(reader);
      gate.resolve(tx.seq, verdict);
    });
    worker = new LeaderWorker(file);
    try {
      expect(await worker.exec('CREATE TABLE t (x)')).toMatchObject({ ok: true });
      expect(await worker.exec('INSERT INTO t VALUES (1)')).toMatchObject({ ok: true });
      expect(seenWhileGated).toBe(0);
      expect(count(reader)).toBe(1);

      verdict = 'abort-definite';
      const failed = await worker.exec('BEGIN; INSERT INTO t VALUES (2); INSERT INTO t VALUES (3); COMMIT');
      expect(failed).toMatchObject({ ok: false, failure: 'not-committed', inTransaction: false });
      expect(seenWhileGated).toBe(1);
      expect(count(reader)).toBe(1);

      verdict = 'abort-unknown';
      expect(await worker.exec('INSERT INTO t VALUES (4)')).toMatchObject({ ok: false, failure: 'outcome-unknown' });
      expect(count(reader)).toBe(1);

      verdict = 'commit';
      expect(await worker.exec('INSERT INTO t VALUES (5)')).toMatchObject({ ok: true });
      expect(count(reader)).toBe(2);
      expect((await worker.get('SELECT group_concat(x) AS xs FROM t')).row).toEqual({ xs: '1,5' });
      expect(integrityCheck(file)).toBe('ok');
    } finally {
      reader.close();
    }
    // the aborted frames are in the WAL without a commit frame: recovery must not revive them
    await worker.close();
    const again = openDatabase(file, { readonly: true });
    expect(count(again)).toBe(2);
    again.close();
  });

  test('a gate that waits too long aborts with "outcome unknown"; a late verdict is refused', async () => {
    let parked: CapturedTransaction | undefined;
    const gate = open((tx) => {
      parked = tx;
    }, 150);
    worker = new LeaderWorker(file);
    const reply = await worker.exec('CREATE TABLE t (x)');
    expect(reply).toMatchObject({ ok: false, failure: 'outcome-unknown', inTransaction: false });
    expect(parked).toBeDefined();
    expect(gate.stats()).toMatchObject({ timedOut: 1, lastOutcome: 'timed-out', committed: 0 });
    expect(gate.resolve(parked!.seq, 'commit')).toBe(false);
    gate.close();

    open((tx, g) => g.resolve(tx.seq, 'commit'));
    expect(await worker.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)')).toMatchObject({ ok: true });
    expect((await worker.get('SELECT count(*) AS n FROM t')).row).toEqual({ n: 1 });
  });

  test('closing the gate releases a parked writer; without a gate nothing commits', async () => {
    const gate = open((_tx, g) => {
      g.close();
    });
    worker = new LeaderWorker(file);
    expect(await worker.exec('CREATE TABLE t (x)')).toMatchObject({ ok: false, failure: 'outcome-unknown' });
    expect(gate.stats().lastOutcome).toBe('aborted-unknown');
    expect(await worker.exec('CREATE TABLE t (x)')).toMatchObject({ ok: false, failure: 'not-committed' });
    expect(gate.stats().lastOutcome).toBe('no-gate');
    expect((await worker.get("SELECT count(*) AS n FROM sqlite_schema WHERE name = 't'")).row).toEqual({ n: 0 });
  });

  test('the captured pages are the transaction: last image per page, pages past the new size dropped', async () => {
    const captured: CapturedTransaction[] = [];
    open((tx, g) => {
      captured.push(tx);
      g.resolve(tx.seq, 'commit');
    });
    worker = new LeaderWorker(file);
    await worker.exec('CREATE TABLE t (x); INSERT INTO t SELECT randomblob(20000) FROM (SELECT 1 UNION ALL SELECT 2)');
    await worker.exec('DELETE FROM t; VACUUM');
    for (const tx of captured) {
      const pgnos = tx.pages.map((p) => p.pgno);
      expect(new Set(pgnos).size).toBe(pgnos.length);
      expect(Math.max(...pgnos)).toBeLessThanOrEqual(tx.dbSize);
      expect(tx.pages.every((p) => p.data.length === 4096)).toBe(true);
    }
    const vacuum = captured[captured.length - 1]!;
    expect(vacuum.dbSize).toBeLessThan(captured[1]!.dbSize); // VACUUM shrank the file
    expect(vacuum.pages[0]!.pgno).toBe(1);
  });

  test('killing the process while a writer is gated leaves an intact database', async () => {
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'gated-child.js'), file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // the two lines come from different threads, in either order
        if (out.includes('gated') && out.includes('committed')) resolve();
      });
      child.once('exit', (code) => {
        reject(new Error(`child exited early (${String(code)}): ${out}`));
      });
    });
    const exited = new Promise((resolve) =>
      child.once('exit', (_code, signal) => {
        resolve(signal);
      }),
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(out).toContain('committed 2');
    const db = openDatabase(file, { readonly: true });
    try {
      expect(count(db)).toBe(2);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
