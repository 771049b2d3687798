import type BetterSqlite3 from 'better-sqlite3';

/** Statements kept per connection; reads tend to repeat a few statements. */
const perConnection = 128;
const caches = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/**
 * The connection's prepared statement for `sql`, prepared once and reused (least recently used ones are
 * dropped). Callers must finish or reset an iteration before yielding to the event loop: the statement is
 * shared by every read on the connection.
 */
export function preparedStatement(conn: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let cache = caches.get(conn);
  if (cache === undefined) {
    cache = new Map();
    caches.set(conn, cache);
  }
  let s = cache.get(sql);
  if (s !== undefined) {
    cache.delete(sql); // re-inserted: the Map's order is the recency order
  } else {
    s = conn.prepare(sql);
    if (cache.size >= perConnection) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
  }
  cache.set(sql, s);
  return s;
}
