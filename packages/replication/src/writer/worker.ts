/**
 * A replicated database's writer thread (a worker_thread): the only place its database is written. The
 * leader's SQL runs here and parks at the commit gate inside COMMIT until the main thread gives the
 * verdict; follower applies, checkpoints, snapshot reads and installs run here too, one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import {
  ApplyConnection,
  gateFailureOf,
  openDatabase,
  SnapshotReader,
  withInternalWrites,
  withManagedTransaction,
} from '@walraft/vfs';
import type {
  CheckpointReport,
  CommitEnd,
  FromWriter,
  RequestOutcome,
  SnapshotOpened,
  Statement,
  StatementResult,
  ToWriter,
  WireError,
  WriterSettings,
} from './protocol';
import { tokenTable } from './protocol';

const port = parentPort;
if (port === null) throw new Error('the writer must run in a worker_thread');
const settings = workerData as WriterSettings;

/**
 * better-sqlite3's SqliteError is not an Error exotic object: thrown out of a worker it would reach the
 * main thread as a bare `{ code }`. Start-up failures leave as real Errors with their message and code.
 */
function opening<T>(what: string, open: () => T): T {
  try {
    return open();
  } catch (err) {
    const w = wire(err);
    throw Object.assign(new Error(`cannot open ${what} of ${settings.path}: ${w.message}`), { code: w.code });
  }
}

const writer: Database.Database = opening('the writer connection', () => openDatabase(settings.path));
const applier = opening('the apply connection', () => ApplyConnection.open(settings.path));
let reader: SnapshotReader | undefined;
let interactive = false;
// a savepoint name user SQL will not guess
const savepoint = `walraft_request_${Math.random().toString(36).slice(2)}`;

function post(m: FromWriter): void {
  port?.postMessage(m);
}

function wire(err: unknown): WireError {
  // better-sqlite3 refuses unbindable or missing parameters with a TypeError or RangeError
  if ((err instanceof TypeError || err instanceof RangeError) && /bind|parameter/i.test(err.message)) {
    return { code: 'WALRAFT_INVALID_PARAMETER', message: err.message };
  }
  if (err instanceof Error) {
    const code = 'code' in err && typeof err.code === 'string' ? err.code : 'WALRAFT_INTERNAL';
    return { code, message: err.message };
  }
  return { code: 'WALRAFT_INTERNAL', message: String(err) };
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'retryable' in err && err.retryable === true;
}

/** Retries an operation that fails while readers hold the locks it needs. */
function withBusyRetry<T>(fn: () => T): T {
  const deadline = Date.now() + settings.busyRetryMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
    try {
      return fn();
    } catch (err) {
      if (!isRetryable(err) || Date.now() >= deadline) throw err;
      sleep(wait);
    }
  }
}

/** Runs fn with writes to the reserved tables allowed (the authorizer checks at prepare time). */
function internal<T>(fn: () => T): T {
  return withInternalWrites(writer, fn);
}

/** Statements prepared once. Those that write the reserved table run only inside internal(): SQLite
 * re-prepares a statement after a schema change, and the authorizer then sees the mode of that moment. */
const cached = new Map<string, Database.Statement>();
function stmt(sql: string): Database.Statement {
  let s = cached.get(sql);
  if (s === undefined) {
    s = writer.prepare(sql);
    cached.set(sql, s);
  }
  return s;
}

let tableSeen = false;
function tableExists(): boolean {
  // once created, the table is never dropped (user SQL cannot; a snapshot always carries it)
  tableSeen ||= stmt('SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?').get('table', tokenTable) !== undefined;
  return tableSeen;
}

/**
 * This database's transaction number as its token rows tell: that of the newest row, 0 before the first
 * transaction. It lags by one after a VACUUM (which writes no row); the main thread knows better.
 */
function readSeq(): number {
  if (!tableExists()) return 0;
  const row = stmt(`SELECT seq FROM ${tokenTable} ORDER BY id DESC LIMIT 1`).get() as { seq: number } | undefined;
  return row?.seq ?? 0;
}

function ensureTokenTable(): void {
  if (tableExists()) return;
  internal(() =>
    writer.exec(
      `CREATE TABLE ${tokenTable} (id INTEGER PRIMARY KEY, token BLOB NOT NULL UNIQUE, seq INTEGER NOT NULL, ` +
        'at INTEGER NOT NULL, committed INTEGER NOT NULL)',
    ),
  );
}

class TokenReused extends Error {
  readonly code = 'WALRAFT_TOKEN_REUSED';
}

function insertToken(token: Uint8Array, seq: number, at: number, committed: boolean): void {
  try {
    internal(() =>
      stmt(`INSERT INTO ${tokenTable} (token, seq, at, committed) VALUES (?, ?, ?, ?)`).run(
        Buffer.from(token),
        seq,
        at,
        committed ? 1 : 0,
      ),
    );
  } catch (err) {
    if (wire(err).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new TokenReused('the commit token was already used');
    throw err;
  }
}

function prune(before: number): void {
  internal(() =>
    writer.prepare(`DELETE FROM ${tokenTable} WHERE at < ? AND id < (SELECT max(id) FROM ${tokenTable})`).run(before),
  );
}

function bind(params: Statement['params']): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? params : [params];
}

function runStatement(s: Statement): StatementResult {
  if (s.mode === 'exec') {
    writer.exec(s.sql);
    return lastChange();
  }
  const st = writer.prepare(s.sql);
  if (s.mode === 'all' && st.reader) {
    const rows = st.all(...bind(s.params));
    return st.readonly ? { changes: 0, lastInsertRowid: 0, rows } : { ...lastChange(), rows };
  }
  const r = st.run(...bind(s.params));
  return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
}

function lastChange(): StatementResult {
  const r = stmt('SELECT changes() AS c, last_insert_rowid() AS r').get() as { c: number; r: number };
  return { changes: r.c, lastInsertRowid: r.r };
}

function rollbackIfOpen(): void {
  if (writer.inTransaction) writer.exec('ROLLBACK');
}

/** COMMIT, which parks at the commit gate until the main thread's verdict. */
function commit(): CommitEnd {
  try {
    writer.exec('COMMIT');
    return { committed: true };
  } catch (err) {
    rollbackIfOpen();
    return { committed: false, gate: gateFailureOf(err), error: wire(err) };
  } finally {
    afterWrite();
  }
}

/** User statements: they may not end the transaction they run in. */
function runUser(statements: readonly Statement[]): StatementResult[] {
  return withManagedTransaction(writer, () => statements.map(runStatement));
}

/** Runs each request in its own savepoint inside one transaction, then commits them as one. */
function runGroup(m: Extract<ToWriter, { op: 'group' }>): void {
  const { id, requests, at, pruneBefore, seq } = m;
  if (interactive) throw new Error('an interactive transaction holds the writer');
  stmt('BEGIN IMMEDIATE').run();
  try {
    ensureTokenTable();
    const outcomes: RequestOutcome[] = [];
    let committing = 0;
    for (const req of requests) {
      stmt(`SAVEPOINT ${savepoint}`).run();
      try {
        const results = req.tombstone === true ? [] : runUser(req.statements);
        insertToken(req.token, seq, at, req.tombstone !== true);
        stmt(`RELEASE ${savepoint}`).run();
        outcomes.push({ ok: true, results });
        committing++;
      } catch (err) {
        // SQL that ended our transaction (COMMIT, ROLLBACK in the request) is refused as a whole
        if (!writer.inTransaction) throw new Error('a request ended the group transaction', { cause: err });
        stmt(`ROLLBACK TO ${savepoint}`).run();
        stmt(`RELEASE ${savepoint}`).run();
        outcomes.push({ ok: false, error: wire(err) });
      }
    }
    if (committing === 0) {
      writer.exec('ROLLBACK');
      post({ kind: 'committed', id, outcomes });
      return;
    }
    if (pruneBefore > 0) prune(pruneBefore);
    post({ kind: 'prepared', id, seq, outcomes });
    post({ kind: 'committed', id, outcomes, commit: commit() });
  } catch (err) {
    rollbackIfOpen();
    throw err;
  }
}

function commitInteractive(id: number, token: Uint8Array, at: number, seq: number): void {
  if (!interactive) throw new Error('no transaction is open');
  interactive = false;
  try {
    ensureTokenTable();
    insertToken(token, seq, at, true);
    post({ kind: 'prepared', id, seq, outcomes: [{ ok: true, results: [] }] });
  } catch (err) {
    rollbackIfOpen();
    throw err;
  }
  post({ kind: 'committed', id, outcomes: [{ ok: true, results: [] }], commit: commit() });
}

/** VACUUM rewrites the database in a transaction of its own; it commits through the gate like any other. */
function vacuum(id: number, seq: number): void {
  if (interactive) throw new Error('an interactive transaction holds the writer');
  const outcomes: RequestOutcome[] = [{ ok: true, results: [] }];
  post({ kind: 'prepared', id, seq, outcomes });
  let end: CommitEnd;
  try {
    // VACUUM copies every table, the reserved ones too: the request is exactly VACUUM, nothing else runs
    internal(() => writer.exec('VACUUM'));
    end = { committed: true };
  } catch (err) {
    rollbackIfOpen();
    end = { committed: false, gate: gateFailureOf(err), error: wire(err) };
  } finally {
    afterWrite();
  }
  post({ kind: 'committed', id, outcomes, commit: end });
}

let lastAlarm = 0;

/** Local checkpoints keep the WAL short; they never need the Raft log. */
function afterWrite(): void {
  if (settings.checkpointWalFrames <= 0 || writer.inTransaction || reader !== undefined) return;
  const frames = applier.walInfo().mxFrame;
  if (frames <= settings.checkpointWalFrames) return;
  const r = applier.checkpoint('passive');
  if (!r.busy && r.walFrames === r.checkpointedFrames) {
    applier.checkpoint('truncate');
  } else if (frames > 10 * settings.checkpointWalFrames && Date.now() - lastAlarm > 10_000) {
    // readers that stay open keep every later frame in the WAL
    lastAlarm = Date.now();
    post({
      kind: 'warning',
      id: 0,
      message: 'the WAL keeps growing: long-running readers keep it from being checkpointed',
      fields: { path: settings.path, walFrames: frames, checkpointedFrames: r.checkpointedFrames },
    });
  }
}

function checkpoint(mode: 'passive' | 'full' | 'truncate'): CheckpointReport {
  const r = applier.checkpoint(mode);
  const complete = !r.busy && r.walFrames >= 0 && r.walFrames === r.checkpointedFrames;
  return { busy: r.busy, walFrames: r.walFrames, checkpointedFrames: r.checkpointedFrames, complete };
}

function snapshotOpen(): SnapshotOpened {
  if (reader !== undefined) throw new Error('a snapshot is already open on this database');
  if (interactive) throw new Error('an interactive transaction holds the writer');
  withBusyRetry(() => {
    const r = applier.checkpoint('full');
    if (r.busy || r.walFrames !== r.checkpointedFrames) {
      throw Object.assign(new Error('readers keep the checkpoint from completing'), { retryable: true });
    }
  });
  const opened = SnapshotReader.open(settings.path);
  reader = opened;
  return { pageSize: opened.pageSize, pageCount: opened.pageCount };
}

function handle(m: ToWriter): void {
  switch (m.op) {
    case 'group':
      runGroup(m);
      return;
    case 'vacuum':
      vacuum(m.id, m.seq);
      return;
    case 'begin':
      if (interactive) throw new Error('an interactive transaction is already open');
      stmt('BEGIN IMMEDIATE').run();
      interactive = true;
      post({ kind: 'result', id: m.id, value: null });
      return;
    case 'statement': {
      if (!interactive) throw new Error('no transaction is open');
      const value = runUser([m.statement])[0];
      if (!writer.inTransaction) {
        interactive = false;
        throw new Error('the statement ended the transaction; use commit() or rollback()');
      }
      post({ kind: 'result', id: m.id, value });
      return;
    }
    case 'commit':
      commitInteractive(m.id, m.token, m.at, m.seq);
      return;
    case 'rollback':
      interactive = false;
      rollbackIfOpen();
      post({ kind: 'result', id: m.id, value: null });
      return;
    case 'apply':
      if (writer.inTransaction) throw new Error('cannot apply while a local transaction is open');
      withBusyRetry(() => {
        applier.apply({ pageSize: m.pageSize, dbSize: m.dbSize, pgnos: m.pgnos, data: m.pages });
      });
      afterWrite();
      post({ kind: 'result', id: m.id, value: null });
      return;
    case 'checkpoint':
      post({ kind: 'result', id: m.id, value: checkpoint(m.mode) });
      return;
    case 'seq':
      post({ kind: 'result', id: m.id, value: readSeq() });
      return;
    case 'snapshotOpen':
      post({ kind: 'result', id: m.id, value: snapshotOpen() });
      return;
    case 'snapshotRead': {
      if (reader === undefined) throw new Error('no snapshot is open');
      post({ kind: 'result', id: m.id, value: reader.read(m.firstPage, m.count) });
      return;
    }
    case 'snapshotClose':
      reader?.close();
      reader = undefined;
      post({ kind: 'result', id: m.id, value: null });
      return;
    case 'install':
      if (writer.inTransaction) throw new Error('cannot install a snapshot while a local transaction is open');
      withBusyRetry(() => {
        applier.installSnapshotFile(m.pageSize, m.file, m.offset, m.pageCount);
      });
      post({ kind: 'result', id: m.id, value: null });
      return;
    case 'close':
      interactive = false;
      reader?.close();
      reader = undefined;
      rollbackIfOpen();
      applier.close();
      writer.close();
      post({ kind: 'result', id: m.id, value: null });
      port?.close();
      return;
  }
}

port.on('message', (m: ToWriter) => {
  try {
    handle(m);
  } catch (err) {
    post({ kind: 'error', id: m.id, error: wire(err), retryable: isRetryable(err) });
  }
});
