import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

// How long a durable 1 KiB append (write + fdatasync into a preallocated file) takes on the disk under the
// temp directory, with `writers` threads appending to their own files at once, as the nodes of a local
// cluster do. On one disk their flushes queue behind each other.

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
  const micros = [];
  const end = startAt + workerData.ms;
  while (Date.now() < end) {
    const t0 = process.hrtime.bigint();
    fs.writeSync(fd, record, 0, record.length, (micros.length * record.length) % ((16 << 20) - record.length));
    fs.fdatasyncSync(fd);
    micros.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  fs.closeSync(fd);
  parentPort.postMessage(micros);
});
parentPort.postMessage('ready');
`;

export interface DiskFlushRate {
  readonly writers: number;
  /** Durable appends per second, all writers together. */
  readonly perSecond: number;
  /** Median time of one append + fdatasync, in microseconds. */
  readonly p50Micros: number;
}

export async function measureDiskFlushRate(writers: number, ms = 2_000): Promise<DiskFlushRate> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-disk-'));
  try {
    const workers = Array.from(
      { length: writers },
      (_, i) => new Worker(writerCode, { eval: true, workerData: { file: path.join(dir, `w${i}`), ms } }),
    );
    const timings = workers.map(
      (w) =>
        new Promise<number[]>((resolve, reject) => {
          w.on('error', reject);
          w.on('message', (m: unknown) => {
            if (Array.isArray(m)) resolve(m as number[]);
          });
        }),
    );
    await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
    const startAt = Date.now() + 50;
    for (const w of workers) w.postMessage(startAt);
    const all = (await Promise.all(timings)).flat().sort((a, b) => a - b);
    await Promise.all(workers.map((w) => w.terminate()));
    return { writers, perSecond: (all.length / ms) * 1000, p50Micros: all[all.length >> 1] ?? 0 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
