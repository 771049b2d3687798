// npm run bench:replication — replicated SQLite commits/s and latency on a 3-node cluster of child processes
// on loopback (kv writes: 32-byte key, 1 KiB value, one row per request, writers embedded in the leader's
// process), next to raw better-sqlite3 in WAL mode in this process, and the transfer rate of a snapshot that
// brings a new node up to a database of `--snapshot-mb` MB (default 200).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { ProcessCluster } from '@walraft/raft';
import type { BenchResult } from './sqlite-node-main';

const script = path.join(__dirname, 'sqlite-node-main.js');
const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) ? v : fallback;
}

/** One row per transaction into a fresh WAL-mode database, for `seconds`. */
function raw(synchronous: 'FULL' | 'NORMAL', seconds: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-bench-raw-'));
  try {
    const db = new Database(path.join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB)');
    const insert = db.prepare('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)');
    const value = Buffer.alloc(1024, 7);
    let n = 0;
    const end = performance.now() + seconds * 1000;
    const start = performance.now();
    while (performance.now() < end) {
      insert.run(randomBytes(32), value);
      n++;
    }
    const rate = (n * 1000) / (performance.now() - start);
    db.close();
    return rate;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function voters(c: ProcessCluster, n: number): Promise<number> {
  for (;;) {
    const lead = await c.leader();
    const s = await c.request<{ conf: { voters: number[] } }>(lead, { op: 'status' });
    if (s.conf.voters.length === n) return lead;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const seconds = quick ? 2 : arg('--seconds', 5);
  const snapshotMb = quick ? 20 : arg('--snapshot-mb', 200);
  const writerCounts = quick ? [1, 64] : [1, 16, 64, 256];

  print(`# walraft replication benchmark — ${new Date().toISOString()}`);
  print(`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${seconds} s per row`);
  print();
  const rawFull = raw('FULL', seconds);
  const rawNormal = raw('NORMAL', seconds);
  print('| workload | commits/s | p50 ms | p99 ms | errors | × raw FULL |');
  print('|---|---:|---:|---:|---:|---:|');
  print(`| raw better-sqlite3, WAL, synchronous=FULL | ${rawFull.toFixed(0)} | | | | 1.00 |`);
  print(
    `| raw better-sqlite3, WAL, synchronous=NORMAL | ${rawNormal.toFixed(0)} | | | | ${(rawNormal / rawFull).toFixed(2)} |`,
  );

  const c = new ProcessCluster({ script, checkpointEvery: 500 });
  try {
    await c.start(1, { bootstrap: true });
    await c.start(2, { join: [1] });
    await c.start(3, { join: [1] });
    let lead = await voters(c, 3);
    await c.request(lead, { op: 'createDatabase', db: 'bench.db' });
    await c.request(lead, {
      op: 'exec',
      db: 'bench.db',
      sql: 'CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB); CREATE TABLE fill (id INTEGER PRIMARY KEY, b BLOB)',
    });
    for (const writers of writerCounts) {
      const r = await c.request<BenchResult>(lead, { op: 'bench', db: 'bench.db', writers, seconds });
      const rate = (r.commits * 1000) / r.elapsedMs;
      print(
        `| walraft 3 nodes, ${writers} writer${writers > 1 ? 's' : ''} | ${rate.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} | ${(rate / rawFull).toFixed(2)} |`,
      );
    }

    // snapshot: grow the database, then a new node catches up from it (the log is compacted past the fill)
    lead = await c.leader();
    const pages = await c.request<number>(lead, { op: 'fill', db: 'bench.db', megabytes: snapshotMb });
    const bytes = pages * 4096;
    // entries until the log is compacted past the fill: the new node can only catch up by snapshot
    const filled = (await c.request<{ commit: number }>(lead, { op: 'status' })).commit;
    while ((await c.request<{ snapshotIndex: number }>(lead, { op: 'status' })).snapshotIndex < filled) {
      await c.request(lead, { op: 'bench', db: 'bench.db', writers: 1, seconds: 0.2 });
    }
    const t0 = performance.now();
    await c.start(4, { join: [lead] });
    for (;;) {
      const [l, n] = await Promise.all([
        c.request<{ commit: number }>(lead, { op: 'status' }),
        c.request<{ appliedIndex: number; snapshotIndex: number }>(4, { op: 'status' }),
      ]);
      if (n.appliedIndex >= l.commit && n.snapshotIndex > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const s = (performance.now() - t0) / 1000;
    print();
    print(
      `snapshot: a new node joined and caught up to a ${(bytes / 1e6).toFixed(0)} MB database in ${s.toFixed(2)} s = ${(bytes / 1e6 / s).toFixed(0)} MB/s (join, transfer, install)`,
    );
  } finally {
    await c.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
