import type { Params as WireParams, Params__Output } from '../gen/walraft/client/v1/Params';
import type { Row as WireRow, Row__Output } from '../gen/walraft/client/v1/Row';
import type { Statement as WireStatement, Statement__Output } from '../gen/walraft/client/v1/Statement';
import type { StatementResult as WireResult, StatementResult__Output } from '../gen/walraft/client/v1/StatementResult';
import type { Value, Value__Output } from '../gen/walraft/client/v1/Value';
import type { Statement, StatementResult } from '@walraft/replication';
import { InvalidParameterError } from '@walraft/replication';
import { ProtocolError } from '../errors';
import type { Params, Row } from '../types';

// SQLite values on the wire. JavaScript numbers travel as doubles and BigInts as exact integers, so a value
// binds and reads back remotely exactly as it does in better-sqlite3 locally.

export function encodeValue(v: unknown): Value {
  if (v === null || v === undefined) return { null: true };
  if (typeof v === 'number') return { real: v };
  if (typeof v === 'bigint') {
    if (v < -(1n << 63n) || v >= 1n << 63n) throw new InvalidParameterError(`BigInt ${v} does not fit in 64 bits`);
    return { integer: v.toString() };
  }
  if (typeof v === 'string') return { text: v };
  if (v instanceof Uint8Array) return { blob: Buffer.from(v.buffer, v.byteOffset, v.byteLength) };
  throw new InvalidParameterError(
    `SQLite can only bind numbers, strings, bigints, buffers and null; got ${v === null ? 'null' : typeof v}`,
  );
}

export function decodeValue(v: Value__Output): unknown {
  switch (v.kind) {
    case 'null':
      return null;
    case 'real':
      return v.real;
    case 'integer':
      return BigInt(v.integer ?? '0');
    case 'text':
      return v.text;
    case 'blob':
      return v.blob;
    default:
      throw new ProtocolError(`a value of unknown kind ${String(v.kind)}`);
  }
}

export function encodeParams(params: Params | undefined): { params?: WireParams; hasParams: boolean } {
  if (params === undefined) return { hasParams: false };
  if (Array.isArray(params)) {
    return { params: { positional: (params as readonly unknown[]).map(encodeValue) }, hasParams: true };
  }
  if (typeof params !== 'object' || params === null || params instanceof Uint8Array) {
    throw new InvalidParameterError('parameters must be an array (positional) or a plain object (named)');
  }
  const named = Object.entries(params).map(([name, value]) => ({ name, value: encodeValue(value) }));
  return { params: { named, isNamed: true }, hasParams: true };
}

export function decodeParams(p: Params__Output | null, has: boolean): Params | undefined {
  if (!has || p === null) return undefined;
  if (p.isNamed) {
    const o: Record<string, unknown> = {};
    for (const n of p.named) o[n.name] = n.value === null ? null : decodeValue(n.value);
    return o;
  }
  return p.positional.map(decodeValue);
}

const modes = { run: 'MODE_RUN', all: 'MODE_ALL', exec: 'MODE_EXEC' } as const;

export function encodeStatement(s: Statement): WireStatement {
  return { sql: s.sql, mode: modes[s.mode], ...encodeParams(s.params) };
}

export function decodeStatement(s: Statement__Output): Statement {
  const mode = s.mode === 'MODE_ALL' ? 'all' : s.mode === 'MODE_EXEC' ? 'exec' : 'run';
  const params = decodeParams(s.params, s.hasParams);
  return params === undefined ? { sql: s.sql, mode } : { sql: s.sql, params, mode };
}

/** Rows as column names plus value lists (every row of a statement has the same columns). */
export function encodeRows(rows: readonly unknown[]): { columns: string[]; rows: WireRow[] } {
  if (rows.length === 0) return { columns: [], rows: [] };
  const columns = Object.keys(rows[0] as object);
  return {
    columns,
    rows: rows.map((r) => ({ values: columns.map((c) => encodeValue((r as Record<string, unknown>)[c])) })),
  };
}

export function decodeRows(columns: readonly string[], rows: readonly Row__Output[]): Row[] {
  return rows.map((r) => {
    const o: Row = {};
    if (r.values.length !== columns.length) throw new ProtocolError('a row with the wrong number of values');
    for (let i = 0; i < columns.length; i++) o[columns[i] as string] = decodeValue(r.values[i] as Value__Output);
    return o;
  });
}

/** lastInsertRowid as better-sqlite3 gives it: a number, or a BigInt beyond 2^53. */
export function rowid(v: number | bigint): string {
  return typeof v === 'bigint' ? v.toString() : String(Math.trunc(v));
}

export function decodeRowid(s: string): number | bigint {
  const b = BigInt(s || '0');
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

export function encodeResult(r: StatementResult): WireResult {
  return { changes: r.changes, lastInsertRowid: rowid(r.lastInsertRowid), ...encodeRows(r.rows ?? []) };
}

export function decodeResult(r: StatementResult__Output): StatementResult {
  return {
    changes: r.changes,
    lastInsertRowid: decodeRowid(r.lastInsertRowid),
    rows: decodeRows(r.columns, r.rows),
  };
}
