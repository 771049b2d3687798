// A snapshot install overwrites each database in place (open readers keep their file), so a crash midway
// leaves pages of two states side by side. The install is therefore journaled: the received snapshot is
// first made durable in the state machine's directory, then a marker naming the index it reflects; only
// then is the first page written. open() finds the marker and finishes the install from that file, at
// file level (no SQLite connection ever opens a half-written database), before anything else.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Index, ReceivedSnapshot } from '@walraft/raft';
import { writeFileAtomicSync } from '@walraft/raft';
import { MalformedEntryError, SnapshotRestoreError } from './errors';
import type { SnapshotHeader } from './snapshot-format';
import { readHeader } from './snapshot-format';

/** The received snapshot, kept until its install is complete. */
export const restoreSpoolFile = '.restore.snapshot';
/** Present (durably) from before the first page is written until the install is complete. */
const restoreMarkerFile = '.restore.pending';

const chunkBytes = 1 << 20;

/** Opens `p` with `flags` and fsyncs it (a directory: its entries). */
export function fsyncPath(p: string, flags: string): void {
  const fd = fs.openSync(p, flags);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Puts the received snapshot's bytes, durably, at the spool path of `dir` (a hard link when it already is
 * a file on the same file system) and checks every database's first page against the header.
 */
export async function spoolSnapshot(
  dir: string,
  snapshot: ReceivedSnapshot,
): Promise<{ file: string; header: SnapshotHeader; offset: number }> {
  const file = path.join(dir, restoreSpoolFile);
  fs.rmSync(file, { force: true });
  if (snapshot.path !== undefined) {
    try {
      fs.linkSync(snapshot.path, file);
    } catch {
      fs.copyFileSync(snapshot.path, file); // another file system
    }
  } else {
    const fd = fs.openSync(file, 'w', 0o644);
    try {
      for await (const c of snapshot.chunks(chunkBytes)) fs.writeSync(fd, c);
    } finally {
      fs.closeSync(fd);
    }
  }
  fsyncPath(file, 'r');
  fsyncPath(dir, 'r');
  const { header, offset } = readHeader(file);
  checkFirstPages(file, header, offset);
  return { file, header, offset };
}

/** What can be checked before any database is touched: each first page is a WAL-mode database header. */
function checkFirstPages(file: string, header: SnapshotHeader, offset: number): void {
  const fd = fs.openSync(file, 'r');
  try {
    let at = offset;
    for (const d of header.databases) {
      const p1 = Buffer.alloc(100);
      fs.readSync(fd, p1, 0, 100, at);
      const declaredSize = p1.readUInt16BE(16) === 1 ? 65536 : p1.readUInt16BE(16);
      const why =
        p1.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0'
          ? 'page 1 is not a database header'
          : declaredSize !== d.pageSize
            ? 'page 1 declares another page size'
            : p1[18] !== 2 || p1[19] !== 2
              ? 'page 1 is not in WAL mode'
              : p1.readUInt32BE(28) !== d.pageCount
                ? 'page 1 declares another page count'
                : undefined;
      if (why !== undefined) throw new MalformedEntryError(`snapshot database ${d.name}: ${why}`);
      at += d.pageCount * d.pageSize;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Records, durably, that the databases are about to be overwritten with the spooled snapshot at `index`. */
export function beginRestore(dir: string, index: Index): void {
  writeFileAtomicSync(path.join(dir, restoreMarkerFile), JSON.stringify({ index }));
}

/** The install is complete (and the checkpoint index says so): forget the marker, then the spool. */
export function endRestore(dir: string): void {
  fs.rmSync(path.join(dir, restoreMarkerFile), { force: true });
  fs.rmSync(path.join(dir, restoreSpoolFile), { force: true });
  fsyncPath(dir, 'r');
}

/** The index of an install a crash interrupted, if any. */
export function pendingRestore(dir: string): Index | undefined {
  const marker = path.join(dir, restoreMarkerFile);
  if (!fs.existsSync(marker)) return undefined;
  const v = JSON.parse(fs.readFileSync(marker, 'utf8')) as { index?: unknown };
  if (typeof v.index !== 'number' || !Number.isSafeInteger(v.index) || v.index < 0) {
    throw new SnapshotRestoreError(`malformed ${marker}`);
  }
  return v.index;
}

/**
 * Finishes an interrupted install from the spooled snapshot: each database file gets the snapshot's pages
 * and length and loses its WAL and wal-index (their frames belong to the state being replaced). Runs before
 * any connection is open. Returns the snapshot's databases with their transaction numbers.
 */
export function redoRestore(dir: string): SnapshotHeader['databases'] {
  const spool = path.join(dir, restoreSpoolFile);
  let parsed: { header: SnapshotHeader; offset: number };
  try {
    parsed = readHeader(spool);
  } catch (err) {
    throw new SnapshotRestoreError(`cannot finish the interrupted snapshot install from ${spool}`, { cause: err });
  }
  const { header, offset } = parsed;
  const src = fs.openSync(spool, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    let at = offset;
    for (const d of header.databases) {
      const file = path.join(dir, d.name);
      const bytes = d.pageCount * d.pageSize;
      const dst = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
      try {
        for (let done = 0; done < bytes;) {
          const n = fs.readSync(src, buf, 0, Math.min(chunkBytes, bytes - done), at + done);
          if (n === 0) throw new SnapshotRestoreError(`${spool} ends early`);
          fs.writeSync(dst, buf, 0, n, done);
          done += n;
        }
        fs.ftruncateSync(dst, bytes);
        fs.fsyncSync(dst);
      } finally {
        fs.closeSync(dst);
      }
      fs.rmSync(`${file}-wal`, { force: true });
      fs.rmSync(`${file}-shm`, { force: true });
      at += bytes;
    }
  } finally {
    fs.closeSync(src);
  }
  fsyncPath(dir, 'r');
  return header.databases;
}
