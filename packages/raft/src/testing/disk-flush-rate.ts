import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

// How many durable appends per second the disk under the temp directory takes when `writers` threads
// each append 1 KiB records with write + fdatasync to their own preallocated file, as the nodes of a
// local cluster do at once. On one disk their flushes queue behind each other, and that sum bounds what
// a cluster of nodes sharing the disk can commit with one proposer (each commit is flushed on every node).

const writerCode = `
const fs = require('node:fs');
const { workerData, parentPort } = require('node:worker_threads');
const fd = fs.openSync(workerData.file, 'w+');
const zeros = Buffer.alloc(1 << 20);
for (let off = 0; off < 16 << 20; off += zeros.length) fs.writeSync(fd, zeros, 0, zeros.length, off);
fs.fsyncSync(fd);
const record = Buffer.alloc(1100, 7);
parentPort.once('message', (startAt) => {
  while (Date.now() < startAt) {}
  let n = 0;
  const end = startAt + workerData.ms;
  while (Date.now() < end) {
    fs.writeSync(fd, record, 0, record.length, (n * record.length) % ((16 << 20) - record.length));
    fs.fdatasyncSync(fd);
    n++;
  }
  fs.closeSync(fd);
  parentPort.postMessage(n);
});
parentPort.postMessage('ready');
`;

export interface DiskFlushRate {
  readonly writers: number;
  /** Durable appends per second, all writers together. */
  readonly perSecond: number;
}

export async function measureDiskFlushRate(writers: number, ms = 2_000): Promise<DiskFlushRate> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-disk-'));
  try {
    const workers = Array.from(
      { length: writers },
      (_, i) => new Worker(writerCode, { eval: true, workerData: { file: path.join(dir, `w${i}`), ms } }),
    );
    const counts = workers.map(
      (w) =>
        new Promise<number>((resolve, reject) => {
          w.on('error', reject);
          w.on('message', (m: unknown) => {
            if (typeof m === 'number') resolve(m);
          });
        }),
    );
    await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
    const startAt = Date.now() + 50;
    for (const w of workers) w.postMessage(startAt);
    const total = (await Promise.all(counts)).reduce((a, b) => a + b, 0);
    await Promise.all(workers.map((w) => w.terminate()));
    return { writers, perSecond: (total / ms) * 1000 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
