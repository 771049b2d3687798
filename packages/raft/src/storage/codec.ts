import { crc32c } from '@node-rs/crc32';
import { EntryType } from '../core/types';
import type { ConfState, Entry, HardState, Index, SnapshotMeta } from '../core/types';

/**
 * Log record framing. A record on disk is
 *
 *   crc32c u32 | length u32 | body (length bytes) | zero padding to a multiple of 8
 *
 * where the CRC covers the length field and the body, so a torn or flipped length is caught too. The body starts
 * with a record type byte. Integers are little-endian; indexes and terms are stored as u64 (JS safe integers).
 * A zero length never occurs in a record, so a zeroed (preallocated, never written) region reads as the end.
 */

export const FRAME_HEADER_BYTES = 8;
const ALIGN = 8;

export const RecordType = {
  /** One log entry; an entry whose index is ≤ the last index also truncates the suffix it replaces. */
  Entry: 1,
  HardState: 2,
  /** A snapshot boundary (installSnapshot or compact). */
  Boundary: 3,
  /** The first record of every segment: the state at that point, so older segments can be deleted. */
  Checkpoint: 4,
} as const;

export type LogRecord =
  | { readonly kind: 'entry'; readonly entry: Entry }
  | { readonly kind: 'hardState'; readonly hardState: HardState }
  | { readonly kind: 'boundary'; readonly meta: SnapshotMeta; readonly keepTail: boolean }
  | {
      readonly kind: 'checkpoint';
      readonly boundary: SnapshotMeta;
      readonly hardState: HardState;
      readonly lastIndex: Index;
    };

/** The outcome of reading a frame at some offset. */
export type FrameRead =
  | { readonly kind: 'record'; readonly record: LogRecord; readonly size: number }
  /** Zeros: the end of what was ever written here. */
  | { readonly kind: 'end' }
  /** Not a complete record with a matching CRC (torn, or damaged). */
  | { readonly kind: 'invalid'; readonly reason: string }
  /** The CRC matches but the body makes no sense: damage or a foreign file, never a torn write. */
  | { readonly kind: 'malformed'; readonly reason: string };

const TWO_32 = 0x1_0000_0000;
const ENTRY_HEADER = 20;
const HARD_STATE_BODY = 28;
const META_FIXED = 24;

export function alignedSize(bodyBytes: number): number {
  return Math.ceil((FRAME_HEADER_BYTES + bodyBytes) / ALIGN) * ALIGN;
}

function putU64(buf: Buffer, off: number, v: number): void {
  buf.writeUInt32LE(v % TWO_32, off);
  buf.writeUInt32LE(Math.floor(v / TWO_32), off + 4);
}

class MalformedRecord extends Error {}

function getU64(buf: Buffer, off: number): number {
  const lo = buf.readUInt32LE(off);
  const hi = buf.readUInt32LE(off + 4);
  if (hi > 0x1f_ffff) throw new MalformedRecord(`u64 at body offset ${off} exceeds 2^53`);
  return hi * TWO_32 + lo;
}

function metaBytes(meta: SnapshotMeta): number {
  return META_FIXED + 8 * (meta.conf.voters.length + meta.conf.learners.length);
}

/** index u64 | term u64 | voters u32 | learners u32 | ids u64... */
function putMeta(buf: Buffer, off: number, meta: SnapshotMeta): void {
  putU64(buf, off, meta.index);
  putU64(buf, off + 8, meta.term);
  buf.writeUInt32LE(meta.conf.voters.length, off + 16);
  buf.writeUInt32LE(meta.conf.learners.length, off + 20);
  let p = off + META_FIXED;
  for (const id of [...meta.conf.voters, ...meta.conf.learners]) {
    putU64(buf, p, id);
    p += 8;
  }
}

function getMeta(buf: Buffer, off: number, end: number): SnapshotMeta {
  if (off + META_FIXED > end) throw new MalformedRecord('snapshot metadata truncated');
  const index = getU64(buf, off);
  const term = getU64(buf, off + 8);
  const nv = buf.readUInt32LE(off + 16);
  const nl = buf.readUInt32LE(off + 20);
  if (off + META_FIXED + 8 * (nv + nl) !== end) throw new MalformedRecord('configuration size mismatch');
  const ids: number[] = [];
  for (let i = 0; i < nv + nl; i++) ids.push(getU64(buf, off + META_FIXED + 8 * i));
  const conf: ConfState = { voters: ids.slice(0, nv), learners: ids.slice(nv) };
  return { index, term, conf };
}

/** Encodes snapshot metadata on its own (the snapshot file trailer uses the same layout). */
export function encodeMeta(meta: SnapshotMeta): Buffer {
  const buf = Buffer.alloc(metaBytes(meta));
  putMeta(buf, 0, meta);
  return buf;
}

/** Decodes {@link encodeMeta}'s output; throws an Error when it is malformed. */
export function decodeMeta(buf: Buffer): SnapshotMeta {
  try {
    return getMeta(buf, 0, buf.length);
  } catch (err) {
    throw new Error(`bad snapshot metadata: ${(err as Error).message}`, { cause: err });
  }
}

function putHardState(buf: Buffer, off: number, hs: HardState): void {
  putU64(buf, off, hs.term);
  putU64(buf, off + 8, hs.vote);
  putU64(buf, off + 16, hs.commit);
}

function getHardState(buf: Buffer, off: number): HardState {
  return { term: getU64(buf, off), vote: getU64(buf, off + 8), commit: getU64(buf, off + 16) };
}

function bodySize(r: LogRecord): number {
  switch (r.kind) {
    case 'entry':
      return ENTRY_HEADER + r.entry.data.length;
    case 'hardState':
      return HARD_STATE_BODY;
    case 'boundary':
      return 4 + metaBytes(r.meta);
    case 'checkpoint':
      return 4 + 8 + 24 + metaBytes(r.boundary);
  }
}

/** Encodes one record, framed and padded. */
export function encodeRecord(r: LogRecord): Buffer {
  const body = bodySize(r);
  const size = alignedSize(body);
  // Pooled allocation (this runs once per entry); every byte not written below is zeroed here.
  const buf = Buffer.allocUnsafe(size);
  const b = FRAME_HEADER_BYTES;
  buf.fill(0, b, b + 4);
  buf.fill(0, b + body, size);
  switch (r.kind) {
    case 'entry':
      buf[b] = RecordType.Entry;
      buf[b + 1] = r.entry.type;
      putU64(buf, b + 4, r.entry.index);
      putU64(buf, b + 12, r.entry.term);
      buf.set(r.entry.data, b + ENTRY_HEADER);
      break;
    case 'hardState':
      buf[b] = RecordType.HardState;
      putHardState(buf, b + 4, r.hardState);
      break;
    case 'boundary':
      buf[b] = RecordType.Boundary;
      buf[b + 1] = r.keepTail ? 1 : 0;
      putMeta(buf, b + 4, r.meta);
      break;
    case 'checkpoint':
      buf[b] = RecordType.Checkpoint;
      putU64(buf, b + 4, r.lastIndex);
      putHardState(buf, b + 12, r.hardState);
      putMeta(buf, b + 36, r.boundary);
      break;
  }
  buf.writeUInt32LE(body, 4);
  buf.writeUInt32LE(crc32c(buf.subarray(4, FRAME_HEADER_BYTES + body)), 0);
  return buf;
}

const entryTypes = new Set<number>(Object.values(EntryType));

function decodeBody(buf: Buffer, b: number, end: number): LogRecord {
  const type = buf[b];
  if (buf[b + 2] !== 0 || buf[b + 3] !== 0) throw new MalformedRecord('reserved bytes are not zero');
  switch (type) {
    case RecordType.Entry: {
      if (end - b < ENTRY_HEADER) throw new MalformedRecord('entry header truncated');
      const etype = buf[b + 1] ?? -1;
      if (!entryTypes.has(etype)) throw new MalformedRecord(`unknown entry type ${etype}`);
      const data = new Uint8Array(buf.buffer, buf.byteOffset + b + ENTRY_HEADER, end - b - ENTRY_HEADER);
      return {
        kind: 'entry',
        entry: { index: getU64(buf, b + 4), term: getU64(buf, b + 12), type: etype as EntryType, data },
      };
    }
    case RecordType.HardState:
      if (end - b !== HARD_STATE_BODY) throw new MalformedRecord('hard state size');
      return { kind: 'hardState', hardState: getHardState(buf, b + 4) };
    case RecordType.Boundary:
      if (buf[b + 1] !== 0 && buf[b + 1] !== 1) throw new MalformedRecord('bad boundary flag');
      return { kind: 'boundary', keepTail: buf[b + 1] === 1, meta: getMeta(buf, b + 4, end) };
    case RecordType.Checkpoint:
      if (end - b < 36 + META_FIXED) throw new MalformedRecord('checkpoint truncated');
      return {
        kind: 'checkpoint',
        lastIndex: getU64(buf, b + 4),
        hardState: getHardState(buf, b + 12),
        boundary: getMeta(buf, b + 36, end),
      };
    default:
      throw new MalformedRecord(`unknown record type ${type ?? -1}`);
  }
}

/** Whether the frame at `off` could start a record: a plausible length and a known type with zero reserved bytes. */
function plausibleHeader(buf: Buffer, off: number, limit: number): number | undefined {
  if (off + FRAME_HEADER_BYTES + 4 > limit) return undefined;
  const len = buf.readUInt32LE(off + 4);
  if (len < 4 || off + FRAME_HEADER_BYTES + len > limit) return undefined;
  const type = buf[off + FRAME_HEADER_BYTES] ?? 0;
  if (type < RecordType.Entry || type > RecordType.Checkpoint) return undefined;
  return len;
}

/** Reads the frame starting at `off` in buf[0, limit). */
export function readFrame(buf: Buffer, off: number, limit: number): FrameRead {
  if (off >= limit) return { kind: 'end' };
  if (off + FRAME_HEADER_BYTES > limit) {
    return buf.subarray(off, limit).every((x) => x === 0)
      ? { kind: 'end' }
      : { kind: 'invalid', reason: 'incomplete frame header' };
  }
  const crc = buf.readUInt32LE(off);
  const len = buf.readUInt32LE(off + 4);
  if (len === 0) return crc === 0 ? { kind: 'end' } : { kind: 'invalid', reason: 'zero length' };
  if (off + FRAME_HEADER_BYTES + len > limit) return { kind: 'invalid', reason: `length ${len} runs past the end` };
  const end = off + FRAME_HEADER_BYTES + len;
  if (crc32c(buf.subarray(off + 4, end)) !== crc) return { kind: 'invalid', reason: 'checksum mismatch' };
  try {
    const record = decodeBody(buf, off + FRAME_HEADER_BYTES, end);
    return { kind: 'record', record, size: Math.min(alignedSize(len), limit - off) };
  } catch (err) {
    if (err instanceof MalformedRecord) return { kind: 'malformed', reason: err.message };
    throw err;
  }
}

/**
 * The offset of the first intact record after `from`, if any. A damaged record followed by an intact one is
 * corruption in the middle of the log; one followed by nothing intact is a torn tail.
 */
export function findIntactRecordAfter(buf: Buffer, from: number, limit: number): number | undefined {
  for (let off = Math.ceil((from + 1) / ALIGN) * ALIGN; off + FRAME_HEADER_BYTES < limit; off += ALIGN) {
    const len = plausibleHeader(buf, off, limit);
    if (len === undefined) continue;
    if (crc32c(buf.subarray(off + 4, off + FRAME_HEADER_BYTES + len)) === buf.readUInt32LE(off)) return off;
  }
  return undefined;
}
