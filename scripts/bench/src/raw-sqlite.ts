import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { quantile } from './stats';

/**
 * The single-node ceiling: raw better-sqlite3 in WAL mode in this process, one kv row (32-byte key, 1 KiB
 * value) per transaction, for `seconds`.
 */
export function rawSqlite(
  synchronous: 'FULL' | 'NORMAL',
  seconds: number,
): { opsPerSec: number; p50Ms: number; p99Ms: number; errors: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-bench-raw-'));
  try {
    const db = new Database(path.join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB)');
    const insert = db.prepare('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)');
    const value = Buffer.alloc(1024, 7);
    const latencies: number[] = [];
    const start = performance.now();
    const end = start + seconds * 1000;
    while (performance.now() < end) {
      const t0 = performance.now();
      insert.run(randomBytes(32), value);
      latencies.push(performance.now() - t0);
    }
    const rate = (latencies.length * 1000) / (performance.now() - start);
    db.close();
    latencies.sort((a, b) => a - b);
    return { opsPerSec: rate, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), errors: 0 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
