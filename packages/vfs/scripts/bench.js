#!/usr/bin/env node
// Follower apply throughput next to raw better-sqlite3 commit throughput, on the same data in
// the same run: one row per transaction with a 1 KiB and a 64 KiB value, page size 4096.
// Raw: a plain WAL database, synchronous=NORMAL, SQLite's default automatic checkpoints.
// Apply: the leader's captured transactions appended by ApplyConnection, with a PASSIVE
// checkpoint whenever the WAL passes 1000 frames (the same policy), timed end to end.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const Database = require('better-sqlite3');
const vfs = require('../dist/index.js');

const PAGE_SIZE = 4096;
const cases = [
  { label: '1 KiB', size: 1024, count: Number(process.env.BENCH_TX_1K ?? 5000) },
  { label: '64 KiB', size: 65536, count: Number(process.env.BENCH_TX_64K ?? 800) },
];

function rawCommits(dir, values) {
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE kv (k INTEGER PRIMARY KEY, v BLOB)');
  const insert = db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)');
  const t0 = process.hrtime.bigint();
  values.forEach((v, i) => insert.run(i, v));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  db.close();
  return seconds;
}

// The leader runs on a writer thread behind the commit gate; every capture is kept.
async function capture(dir, values) {
  const file = path.join(dir, 'leader.db');
  vfs.createDatabaseFile(file, vfs.emptyDatabaseImage(PAGE_SIZE));
  const leader = vfs.registerReplicated(file);
  const captured = [];
  const gate = new vfs.CommitGate(leader, {
    timeoutMs: 60_000,
    onCapture: (tx) => {
      captured.push(tx.packed);
      gate.resolve(tx.seq, 'commit');
    },
  });
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const db = require(workerData.vfs).openDatabase(workerData.file);
     db.exec('CREATE TABLE kv (k INTEGER PRIMARY KEY, v BLOB)');
     const insert = db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)');
     workerData.values.forEach((v, i) => insert.run(i, v));
     db.close();
     parentPort.postMessage('done');`,
    { eval: true, workerData: { vfs: require.resolve('../dist/index.js'), file: leader, values } },
  );
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  gate.close();
  return { leader, captured };
}

function applyAll(dir, captured) {
  const file = path.join(dir, 'follower.db');
  vfs.createDatabaseFile(file, vfs.emptyDatabaseImage(PAGE_SIZE));
  const follower = vfs.registerReplicated(file);
  const apply = vfs.ApplyConnection.open(follower);
  // the schema transaction is not part of the measurement
  apply.apply(captured[0]);
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 1; i < captured.length; i++) {
    apply.apply(captured[i]);
    bytes += captured[i].data.length;
    if (apply.walInfo().mxFrame > 1000) apply.checkpoint('passive');
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  apply.close();
  return { follower, seconds, bytes };
}

function sameContent(a, b) {
  const da = vfs.openDatabase(a, { readonly: true });
  const db = vfs.openDatabase(b, { readonly: true });
  try {
    return da.serialize().equals(db.serialize());
  } finally {
    da.close();
    db.close();
  }
}

async function main() {
  vfs.loadAddon();
  const rows = [];
  for (const c of cases) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-bench-'));
    try {
      const values = Array.from({ length: c.count }, () => crypto.randomBytes(c.size));
      const rawSeconds = rawCommits(dir, values);
      const { leader, captured } = await capture(dir, values);
      const applied = applyAll(dir, captured);
      if (!sameContent(leader, applied.follower)) throw new Error('follower content differs from the leader');
      const mb = (n) => n / 1e6;
      rows.push({
        transaction: c.label,
        count: c.count,
        'raw commits tx/s': Math.round(c.count / rawSeconds),
        'raw value MB/s': +mb((c.size * c.count) / rawSeconds).toFixed(1),
        'apply tx/s': Math.round(c.count / applied.seconds),
        'apply value MB/s': +mb((c.size * c.count) / applied.seconds).toFixed(1),
        'apply page MB/s': +mb(applied.bytes / applied.seconds).toFixed(1),
        'apply / raw': +(rawSeconds / applied.seconds).toFixed(2),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.table(rows);
  const slower = rows.filter((r) => r['apply / raw'] < 1);
  if (slower.length > 0) {
    console.error(`apply is slower than raw commits for: ${slower.map((r) => r.transaction).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
