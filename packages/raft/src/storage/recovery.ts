import * as path from 'node:path';
import type { HardState, Index, SnapshotMeta } from '../core/types';
import type { LogRecord } from './codec';
import { findIntactRecordAfter, readFrame } from './codec';
import { LogCorruptionError, LogGapError, LogMissingSegmentError } from './errors';
import type { StorageFs } from './fs';
import { syncDirSync } from './fs';
import { LogIndex } from './log-index';
import { SPARE_SEGMENT_NAME, parseSegmentFileName, segmentFileName } from './segment-files';

export interface StorageLogger {
  warn(message: string): void;
}

/** A segment found at start-up, open read-write. */
export interface RecoveredSegment {
  readonly seq: number;
  readonly path: string;
  readonly fd: number;
  /** End of the intact records (where the next record goes, for the last segment). */
  readonly size: number;
  /** The highest entry index the segment mentions (its checkpoint's last index or an entry). */
  readonly maxIndex: Index;
}

export interface RecoveredLog {
  readonly boundary: SnapshotMeta;
  readonly hardState: HardState;
  readonly index: LogIndex;
  /** In sequence order; never empty. */
  readonly segments: RecoveredSegment[];
}

/**
 * Replays records in order into the state they describe, checking that each one is consistent with those
 * before it. Entries recorded only in segments deleted after a snapshot are "covered": known to exist up to
 * `coveredEnd` but not readable, which is fine only if the final boundary is at or past them.
 */
class Replay {
  boundary: SnapshotMeta | undefined;
  hardState: HardState = { term: 0, vote: 0, commit: 0 };
  readonly index = new LogIndex(1);
  coveredEnd: Index = 0;

  apply(rec: LogRecord, seq: number, file: string, offset: number, size: number): Index {
    const fail = (detail: string): never => {
      throw new LogCorruptionError(file, offset, detail);
    };
    if (rec.kind === 'checkpoint') {
      if (offset !== 0) fail('checkpoint record inside a segment');
      if (this.boundary === undefined) {
        this.boundary = rec.boundary;
        this.hardState = rec.hardState;
        this.coveredEnd = rec.lastIndex;
        this.index.reset(rec.lastIndex + 1);
      } else if (
        rec.boundary.index !== this.boundary.index ||
        rec.boundary.term !== this.boundary.term ||
        rec.lastIndex !== this.index.lastIndex ||
        !sameHardState(rec.hardState, this.hardState)
      ) {
        fail('segment checkpoint disagrees with the records before it');
      }
      return rec.lastIndex;
    }
    const boundary = this.boundary ?? fail('segment does not start with a checkpoint');
    switch (rec.kind) {
      case 'entry': {
        const { index, term } = rec.entry;
        const last = this.index.lastIndex;
        if (index <= boundary.index) fail(`entry ${index} at or below the snapshot boundary ${boundary.index}`);
        if (index > last + 1) throw new LogGapError(file, offset, `entry ${index} follows last index ${last}`);
        const prevTerm = index - 1 === boundary.index ? boundary.term : this.index.term(index - 1);
        if (prevTerm !== undefined && term < prevTerm) fail(`entry ${index} has term ${term} < previous ${prevTerm}`);
        this.index.truncateFrom(index);
        this.coveredEnd = Math.min(this.coveredEnd, index - 1);
        this.index.push(index, term, { segment: seq, offset, size });
        return index;
      }
      case 'hardState':
        this.hardState = rec.hardState;
        return 0;
      case 'boundary':
        if (rec.meta.index < boundary.index) fail(`boundary ${rec.meta.index} moves back from ${boundary.index}`);
        if (rec.keepTail) {
          if (rec.meta.index > this.index.lastIndex) fail(`boundary ${rec.meta.index} past the last entry`);
          this.index.dropThrough(rec.meta.index);
        } else {
          this.index.reset(rec.meta.index + 1);
          this.coveredEnd = Math.min(this.coveredEnd, rec.meta.index);
        }
        this.boundary = rec.meta;
        return 0;
    }
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

interface SegmentScan {
  readonly size: number;
  readonly maxIndex: Index;
  /** The segment's own checkpoint is torn: it never became durable. */
  readonly tornAtStart: boolean;
}

/** Replays one segment's records. A torn tail is allowed only in the last segment, and is zeroed out. */
function scanSegment(
  fsys: StorageFs,
  seg: { seq: number; path: string; fd: number },
  isLast: boolean,
  replay: Replay,
  logger: StorageLogger,
): SegmentScan {
  const fileSize = fsys.fstatSizeSync(seg.fd);
  const buf = Buffer.alloc(fileSize);
  let got = 0;
  while (got < fileSize) {
    const n = fsys.readSync(seg.fd, buf, got, fileSize - got, got);
    if (n === 0) break;
    got += n;
  }
  let off = 0;
  let maxIndex = 0;
  for (;;) {
    const frame = readFrame(buf, off, got);
    if (frame.kind === 'record') {
      maxIndex = Math.max(maxIndex, replay.apply(frame.record, seg.seq, seg.path, off, frame.size));
      off += frame.size;
      continue;
    }
    if (frame.kind === 'malformed') throw new LogCorruptionError(seg.path, off, frame.reason);
    const intact = findIntactRecordAfter(buf, off, got);
    if (intact !== undefined) {
      const what = frame.kind === 'end' ? 'zeroed region' : frame.reason;
      throw new LogCorruptionError(seg.path, off, `${what}, but an intact record follows at offset ${intact}`);
    }
    const reason = frame.kind === 'end' ? 'no checkpoint' : frame.reason;
    if (off === 0) {
      if (!isLast) throw new LogCorruptionError(seg.path, 0, `${reason} in a segment that is not the last`);
      return { size: 0, maxIndex: 0, tornAtStart: true };
    }
    if (frame.kind === 'end') return { size: off, maxIndex, tornAtStart: false };
    if (!isLast) throw new LogCorruptionError(seg.path, off, `${frame.reason} in a segment that is not the last`);
    // Torn tail: bytes of a write that never completed. Nothing there was acknowledged (appends are synced in
    // order), so zero them out and carry on from the last intact record.
    let dirtyEnd = got;
    while (dirtyEnd > off && buf[dirtyEnd - 1] === 0) dirtyEnd--;
    const zeros = Buffer.alloc(dirtyEnd - off);
    fsys.writeSync(seg.fd, zeros, 0, zeros.length, off);
    fsys.fsyncSync(seg.fd);
    logger.warn(
      `walraft storage: truncated a torn record at the tail of ${seg.path} at offset ${off} ` +
        `(${frame.reason}; ${zeros.length} bytes discarded)`,
    );
    return { size: off, maxIndex, tornAtStart: false };
  }
}

/**
 * Reads the log in `dir` at start-up. Returns undefined when there is no log yet. Throws a
 * {@link LogCorruptionError}, {@link LogGapError} or {@link LogMissingSegmentError} naming the file and offset
 * when the log cannot be trusted; only a torn tail is repaired (and logged).
 */
export function recoverLog(fsys: StorageFs, dir: string, logger: StorageLogger): RecoveredLog | undefined {
  fsys.mkdirSync(dir);
  const names = fsys.readdirSync(dir);
  if (names.includes(SPARE_SEGMENT_NAME)) fsys.unlinkSync(path.join(dir, SPARE_SEGMENT_NAME));
  const seqs = names.flatMap((n) => parseSegmentFileName(n) ?? []).sort((a, b) => a - b);
  for (let k = 1; k < seqs.length; k++) {
    const prev = seqs[k - 1] as number;
    const seq = seqs[k] as number;
    if (seq !== prev + 1) {
      throw new LogMissingSegmentError(
        path.join(dir, segmentFileName(prev + 1)),
        0,
        `segments jump from ${segmentFileName(prev)} to ${segmentFileName(seq)}`,
      );
    }
  }
  const opened: { seq: number; path: string; fd: number }[] = [];
  try {
    for (const seq of seqs) {
      const file = path.join(dir, segmentFileName(seq));
      opened.push({ seq, path: file, fd: fsys.openSync(file, 'r+') });
    }
    const replay = new Replay();
    const segments: RecoveredSegment[] = [];
    for (const [k, seg] of opened.entries()) {
      const isLast = k === opened.length - 1;
      const scan = scanSegment(fsys, seg, isLast, replay, logger);
      if (scan.tornAtStart) {
        if (k === 0 && seg.seq !== 0) {
          throw new LogCorruptionError(seg.path, 0, 'the oldest segment has no intact checkpoint');
        }
        // Created at a rotation (or at the very first start) that never became durable.
        fsys.closeSync(seg.fd);
        opened.pop();
        fsys.unlinkSync(seg.path);
        syncDirSync(fsys, dir);
        logger.warn(`walraft storage: removed ${seg.path}, a new segment whose first record was torn`);
        break;
      }
      segments.push({ ...seg, size: scan.size, maxIndex: scan.maxIndex });
    }
    const first = segments[0];
    if (first === undefined || replay.boundary === undefined) return undefined;
    if (replay.coveredEnd > replay.boundary.index) {
      throw new LogMissingSegmentError(
        path.join(dir, segmentFileName(first.seq - 1)),
        0,
        `entries ${replay.boundary.index + 1}..${replay.coveredEnd} precede ${first.path} ` +
          `but are past the snapshot boundary ${replay.boundary.index}`,
      );
    }
    replay.index.dropThrough(replay.boundary.index);
    return { boundary: replay.boundary, hardState: replay.hardState, index: replay.index, segments };
  } catch (err) {
    for (const seg of opened) fsys.closeSync(seg.fd);
    throw err;
  }
}
