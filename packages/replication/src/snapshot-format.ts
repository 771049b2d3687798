import * as fs from 'node:fs';
import { MalformedEntryError } from './errors';
import { isDatabaseName } from './names';

/**
 * A state machine snapshot: a 4-byte big-endian header length, a JSON header naming each database, then
 * each database's pages back to back, in header order.
 */
export interface SnapshotHeader {
  readonly version: 1;
  readonly databases: readonly SnapshotDatabase[];
}

export interface SnapshotDatabase {
  readonly name: string;
  readonly pageSize: number;
  readonly pageCount: number;
  /** The database's transaction number in these pages. */
  readonly seq: number;
}

export function encodeHeader(h: SnapshotHeader): Buffer {
  const json = Buffer.from(JSON.stringify(h));
  const out = Buffer.alloc(4 + json.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, 4);
  return out;
}

/** Reads and validates the header of a snapshot file; returns it with the offset of the first page. */
export function readHeader(file: string): { header: SnapshotHeader; offset: number } {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    const len = Buffer.alloc(4);
    if (fs.readSync(fd, len, 0, 4, 0) !== 4) throw new MalformedEntryError('snapshot without a header');
    const n = len.readUInt32BE(0);
    if (n > 16 << 20 || 4 + n > size) throw new MalformedEntryError(`snapshot header of ${n} bytes`);
    const json = Buffer.alloc(n);
    if (fs.readSync(fd, json, 0, n, 4) !== n) throw new MalformedEntryError('truncated snapshot header');
    const header = JSON.parse(json.toString('utf8')) as SnapshotHeader;
    let total = 4 + n;
    const list: unknown = header.databases;
    if (header.version !== 1 || !Array.isArray(list)) throw new MalformedEntryError('snapshot header');
    for (const d of header.databases) {
      const ps = d.pageSize;
      if (!isDatabaseName(d.name) || !(ps >= 512 && ps <= 65536 && (ps & (ps - 1)) === 0)) {
        throw new MalformedEntryError(`snapshot database ${JSON.stringify(d.name)}`);
      }
      if (!Number.isSafeInteger(d.pageCount) || d.pageCount < 1 || !Number.isSafeInteger(d.seq) || d.seq < 0) {
        throw new MalformedEntryError(`snapshot database ${d.name}: ${d.pageCount} pages, transaction ${d.seq}`);
      }
      total += d.pageCount * ps;
    }
    if (total !== size) throw new MalformedEntryError(`snapshot of ${size} bytes, its header describes ${total}`);
    return { header, offset: 4 + n };
  } finally {
    fs.closeSync(fd);
  }
}
