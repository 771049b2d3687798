import BetterSqlite3 from 'better-sqlite3';
import { RESERVED_NAME_PREFIX } from '@walraft/vfs';
import type { Database } from './database';
import type { Params } from './types';

/** Rows are copied in transactions of about this many bytes (well below the 16 MiB entry limit). */
const batchBytes = 4 << 20;

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function valueBytes(v: unknown): number {
  if (typeof v === 'string') return v.length * 2;
  if (v instanceof Uint8Array) return v.length;
  return 9;
}

interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

export interface RestoreReport {
  readonly tables: number;
  readonly rows: number;
  readonly indexes: number;
}

/**
 * Restores a backup (a plain SQLite file) into an empty replicated database, through ordinary replicated
 * transactions: the schema, every table's rows (with their rowids), AUTOINCREMENT counters, then indexes,
 * triggers and views. Every member gets it through the log. walraft's own tables are not copied: the
 * restored database starts a new commit-token history.
 */
export async function restoreDatabase(db: Database, file: string): Promise<RestoreReport> {
  const existing = await db.all(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE ? ESCAPE '\\'",
    [`${RESERVED_NAME_PREFIX.replace(/_/g, '\\_')}%`],
  );
  if (existing.length > 0) {
    throw new Error(
      `database ${db.name} already has tables (${existing.map((r) => r.name as string).join(', ')}): restore only into an empty one`,
    );
  }
  const src = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const check = src.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`${file} is damaged: ${String(check)}`);
    const schema = (
      src.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid').all() as SchemaRow[]
    ).filter(
      (s) => !s.name.startsWith(RESERVED_NAME_PREFIX) && !s.tbl_name.startsWith(RESERVED_NAME_PREFIX) && s.sql !== null,
    );
    const tables = schema.filter((s) => s.type === 'table' && !s.name.startsWith('sqlite_'));
    for (const t of tables) await db.exec(t.sql as string);
    let rows = 0;
    for (const t of tables) rows += await copyRows(src, db, t.name);
    const sequence = schema.some((s) => s.name === 'sqlite_sequence')
      ? (src.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[])
      : [];
    if (sequence.length > 0) {
      await db.batch(
        sequence.flatMap((s) => [
          { sql: 'DELETE FROM sqlite_sequence WHERE name = ?', params: [s.name] },
          { sql: 'INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', params: [s.name, s.seq] },
        ]),
      );
    }
    const rest = schema.filter((s) => s.type !== 'table');
    for (const s of rest) await db.exec(s.sql as string);
    return { tables: tables.length, rows, indexes: rest.filter((s) => s.type === 'index').length };
  } finally {
    src.close();
  }
}

/** Copies one table's rows, keeping rowids of rowid tables. */
async function copyRows(src: BetterSqlite3.Database, db: Database, table: string): Promise<number> {
  const columns = (
    src.prepare(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0`).all(table) as { name: string }[]
  ).map((c) => c.name);
  let hasRowid = true;
  try {
    src.prepare(`SELECT rowid FROM ${quote(table)} LIMIT 0`).all();
  } catch {
    hasRowid = false; // WITHOUT ROWID
  }
  const names = [...(hasRowid ? ['rowid'] : []), ...columns];
  const select = src.prepare(
    `SELECT ${names.map((n, i) => (i === 0 && hasRowid ? 'rowid' : quote(n))).join(', ')} FROM ${quote(table)}`,
  );
  select.raw(true);
  const insert = `INSERT INTO ${quote(table)} (${names.map((n, i) => (i === 0 && hasRowid ? 'rowid' : quote(n))).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
  let batch: { sql: string; params: Params }[] = [];
  let bytes = 0;
  let count = 0;
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    batch.push({ sql: insert, params: row });
    bytes += row.reduce<number>((n, v) => n + valueBytes(v), 0);
    count++;
    if (bytes >= batchBytes) {
      await db.batch(batch);
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) await db.batch(batch);
  return count;
}
