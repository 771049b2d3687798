/**
 * `npm run bench:log`: appends per second of the durable log with group commit, for 1, 16 and 256 concurrent
 * proposers (each appends one entry and waits for its sync before the next), next to a raw loop of
 * `fs.writeSync` + `fs.fdatasyncSync` per append measured in the same run on the same disk.
 *
 * Options (environment): WALRAFT_BENCH_DIR (default: a temp dir), WALRAFT_BENCH_SECONDS per measurement
 * (default 2), WALRAFT_BENCH_ENTRY_BYTES (default 128). Exits 1 if 256 proposers stay under 20x the raw rate.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EntryType } from '../core/types';
import type { StorageFs } from './fs';
import { nodeStorageFs } from './fs';
import { LogStore } from './log-store';

const SECONDS = Number(process.env.WALRAFT_BENCH_SECONDS ?? 2);
const ENTRY_BYTES = Number(process.env.WALRAFT_BENCH_ENTRY_BYTES ?? 128);
const TARGET_RATIO = 20;
const SEGMENT_BYTES = 64 << 20;

function now(): number {
  return performance.now() / 1000;
}

/** One write + fdatasync per append, into a preallocated file (the best case for the raw loop). */
function rawRate(dir: string): number {
  const file = path.join(dir, 'raw.bin');
  const fd = fs.openSync(file, 'w+');
  try {
    const zeros = Buffer.alloc(1 << 20);
    for (let off = 0; off < SEGMENT_BYTES; off += zeros.length) fs.writeSync(fd, zeros, 0, zeros.length, off);
    fs.fsyncSync(fd);
    const record = Buffer.alloc(ENTRY_BYTES + 32, 7);
    let n = 0;
    const start = now();
    while (now() - start < SECONDS) {
      fs.writeSync(fd, record, 0, record.length, (n * record.length) % (SEGMENT_BYTES - record.length));
      fs.fdatasyncSync(fd);
      n++;
    }
    return n / (now() - start);
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file);
  }
}

async function groupCommitRate(dir: string, proposers: number): Promise<{ rate: number; syncsPerSecond: number }> {
  const logDir = path.join(dir, `log-${proposers}`);
  let syncs = 0;
  const countingFs: StorageFs = {
    ...nodeStorageFs,
    fdatasync: (fd) => {
      syncs++;
      return nodeStorageFs.fdatasync(fd);
    },
  };
  const store = await LogStore.open(logDir, { segmentBytes: SEGMENT_BYTES, fs: countingFs });
  const data = new Uint8Array(ENTRY_BYTES).fill(42);
  let appended = 0;
  syncs = 0;
  const start = now();
  const propose = async (): Promise<void> => {
    while (now() - start < SECONDS) {
      const index = store.lastIndex() + 1;
      store.append([{ index, term: 1, type: EntryType.Normal, data }]);
      await store.sync();
      appended++;
    }
  };
  await Promise.all(Array.from({ length: proposers }, propose));
  const elapsed = now() - start;
  await store.close();
  fs.rmSync(logDir, { recursive: true, force: true });
  return { rate: appended / elapsed, syncsPerSecond: syncs / elapsed };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const base = process.env.WALRAFT_BENCH_DIR ?? os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, 'walraft-bench-log-'));
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  try {
    out(`log append benchmark: ${ENTRY_BYTES}-byte entries, ${SECONDS} s per run, in ${dir}`);
    const raw = rawRate(dir);
    out(`${'raw writeSync+fdatasyncSync'.padEnd(32)} ${fmt(raw).padStart(9)} appends/s   1.0x`);
    let ratio256 = 0;
    for (const proposers of [1, 16, 256]) {
      const { rate, syncsPerSecond } = await groupCommitRate(dir, proposers);
      const ratio = rate / raw;
      if (proposers === 256) ratio256 = ratio;
      out(
        `${`group commit, ${proposers} proposer${proposers === 1 ? '' : 's'}`.padEnd(32)} ${fmt(rate).padStart(9)} ` +
          `appends/s ${ratio.toFixed(1).padStart(5)}x   (${fmt(syncsPerSecond)} fdatasyncs/s)`,
      );
    }
    const ok = ratio256 >= TARGET_RATIO;
    out(`256 proposers: ${ratio256.toFixed(1)}x the raw rate (target >= ${TARGET_RATIO}x): ${ok ? 'met' : 'NOT met'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
