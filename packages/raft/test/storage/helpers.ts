import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Entry } from '../../src/core/types';
import { EntryType } from '../../src/core/types';
import type { LogRecord } from '../../src/storage/codec';
import { readFrame } from '../../src/storage/codec';
import type { StorageFs } from '../../src/storage/fs';
import { nodeStorageFs } from '../../src/storage/fs';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-storage-'));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Deterministic payload for (index, term): tests can check any entry's bytes without remembering them. */
export function payload(index: number, term: number, length = 8 + (index % 37)): Uint8Array {
  const out = new Uint8Array(length);
  for (let k = 0; k < length; k++) out[k] = (index * 31 + term * 7 + k * 13) & 0xff;
  return out;
}

export function entry(index: number, term: number, length?: number): Entry {
  return { index, term, type: EntryType.Normal, data: payload(index, term, length) };
}

export function entries(from: number, to: number, term: number, length?: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term, length));
  return out;
}

export class CapturingLogger {
  readonly messages: string[] = [];
  warn(message: string): void {
    this.messages.push(message);
  }
}

type AsyncOp = 'write' | 'fdatasync' | 'fsync' | 'open' | 'rename' | 'unlink';

/**
 * The real file system with failure injection: `failOn(op, code)` makes the next matching call fail with that
 * errno code (EIO, ENOSPC, ...), as a failing disk would. Also counts calls.
 */
export class FaultyFs implements StorageFs {
  readonly calls = new Map<string, number>();
  private faults: { op: AsyncOp; code: string; remaining: number; when: (data?: Uint8Array) => boolean }[] = [];
  private readonly base: StorageFs = nodeStorageFs;

  /** Makes the (skip+1)-th next call of `op` (for which `when` holds) fail with `code`. */
  failOn(op: AsyncOp, code: string, skip = 0, when: (data?: Uint8Array) => boolean = () => true): void {
    this.faults.push({ op, code, remaining: skip, when });
  }

  /** Fails the next write of log records (segment preallocation writes only zeros). */
  failNextRecordWrite(code: string): void {
    this.failOn('write', code, 0, (data) => data !== undefined && data.some((b) => b !== 0));
  }

  count(op: string): number {
    return this.calls.get(op) ?? 0;
  }

  /** Counts the call and throws the injected failure if one matches. */
  private trip(op: AsyncOp, data?: Uint8Array): void {
    this.calls.set(op, this.count(op) + 1);
    const fault = this.faults.find((f) => f.op === op && f.when(data));
    if (!fault) return;
    if (fault.remaining > 0) {
      fault.remaining--;
      return;
    }
    this.faults.splice(this.faults.indexOf(fault), 1);
    const err: NodeJS.ErrnoException = new Error(`${fault.code}: injected failure, ${op}`);
    err.code = fault.code;
    throw err;
  }

  readonly openSync = nodeStorageFs.openSync;
  readonly closeSync = nodeStorageFs.closeSync;
  readonly readSync = nodeStorageFs.readSync;
  readonly fstatSizeSync = nodeStorageFs.fstatSizeSync;
  readonly fsyncSync = nodeStorageFs.fsyncSync;
  readonly readdirSync = nodeStorageFs.readdirSync;
  readonly mkdirSync = nodeStorageFs.mkdirSync;
  readonly unlinkSync = nodeStorageFs.unlinkSync;
  readonly renameSync = nodeStorageFs.renameSync;
  readonly read = nodeStorageFs.read;
  readonly close = nodeStorageFs.close;
  readonly writeSync = (fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number => {
    this.trip('write', buffer.subarray(offset, offset + length));
    return this.base.writeSync(fd, buffer, offset, length, position);
  };
  readonly write = async (fd: number, buffer: Uint8Array, position: number): Promise<void> => {
    this.trip('write', buffer);
    return this.base.write(fd, buffer, position);
  };
  readonly writev = async (fd: number, buffers: readonly Uint8Array[], position: number): Promise<void> => {
    this.trip('write', Buffer.concat(buffers));
    return this.base.writev(fd, buffers, position);
  };
  readonly fdatasync = async (fd: number): Promise<void> => {
    this.trip('fdatasync');
    return this.base.fdatasync(fd);
  };
  readonly fsync = async (fd: number): Promise<void> => {
    this.trip('fsync');
    return this.base.fsync(fd);
  };
  readonly open = async (p: string, flags: string): Promise<number> => {
    this.trip('open');
    return this.base.open(p, flags);
  };
  readonly rename = async (from: string, to: string): Promise<void> => {
    this.trip('rename');
    return this.base.rename(from, to);
  };
  readonly unlink = async (p: string): Promise<void> => {
    this.trip('unlink');
    return this.base.unlink(p);
  };
}

export function segmentPaths(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.wal'))
    .sort()
    .map((n) => path.join(dir, n));
}

export interface RecordAt {
  readonly offset: number;
  readonly size: number;
  readonly record: LogRecord;
}

/** The intact records of a segment file, in order. */
export function recordsOf(file: string): RecordAt[] {
  const buf = fs.readFileSync(file);
  const out: RecordAt[] = [];
  let off = 0;
  for (;;) {
    const f = readFrame(buf, off, buf.length);
    if (f.kind !== 'record') return out;
    out.push({ offset: off, size: f.size, record: f.record });
    off += f.size;
  }
}

/** Overwrites bytes of a file in place. */
export function patchFile(file: string, offset: number, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    fs.closeSync(fd);
  }
}
