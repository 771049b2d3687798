import { crc32c } from '@node-rs/crc32';
import { EntryType } from '../../src/core/types';
import type { LogRecord } from '../../src/storage/codec';
import { decodeMeta, encodeMeta, encodeRecord, findIntactRecordAfter, readFrame } from '../../src/storage/codec';
import { entry } from './helpers';

const conf = { voters: [1, 2, 2 ** 40], learners: [9] };
const records: LogRecord[] = [
  { kind: 'entry', entry: entry(2 ** 45, 2 ** 33) },
  { kind: 'entry', entry: { index: 3, term: 1, type: EntryType.ConfChange, data: new Uint8Array(0) } },
  { kind: 'hardState', hardState: { term: 7, vote: 3, commit: 99 } },
  { kind: 'boundary', meta: { index: 10, term: 2, conf }, keepTail: true },
  { kind: 'boundary', meta: { index: 11, term: 3, conf: { voters: [], learners: [] } }, keepTail: false },
  {
    kind: 'checkpoint',
    boundary: { index: 10, term: 2, conf },
    hardState: { term: 7, vote: 0, commit: 12 },
    lastIndex: 20,
  },
];

describe('log record codec', () => {
  it.each(records.map((r) => [r.kind, r] as const))('round-trips a %s record, padded to 8 bytes', (_, rec) => {
    const buf = encodeRecord(rec);
    expect(buf.length % 8).toBe(0);
    const f = readFrame(buf, 0, buf.length);
    expect(f).toEqual({ kind: 'record', record: rec, size: buf.length });
  });

  it('detects any flipped bit in a record', () => {
    const buf = encodeRecord(records[0]!);
    const body = buf.readUInt32LE(4) + 8;
    for (let byte = 0; byte < body; byte++) {
      const copy = Buffer.from(buf);
      copy[byte]! ^= 1 << (byte % 8);
      expect(readFrame(copy, 0, copy.length).kind).toBe('invalid');
    }
  });

  it('reads zeros as the end, and a cut record as invalid', () => {
    const buf = encodeRecord(records[0]!);
    expect(readFrame(Buffer.alloc(64), 0, 64)).toEqual({ kind: 'end' });
    expect(readFrame(buf, 0, buf.length - 9).kind).toBe('invalid');
    expect(readFrame(buf, 0, 5).kind).toBe('invalid');
  });

  it('reports a record whose checksum holds but whose body is nonsense as malformed', () => {
    const rec = encodeRecord(records[2]!);
    rec[8] = 77; // unknown record type
    rec.writeUInt32LE(crc32c(rec.subarray(4, 8 + rec.readUInt32LE(4))), 0);
    expect(readFrame(rec, 0, rec.length).kind).toBe('malformed');
  });

  it('finds the next intact record after a damaged one, and none in zeros or garbage', () => {
    const a = encodeRecord(records[0]!);
    const b = encodeRecord(records[2]!);
    const buf = Buffer.concat([a, b, Buffer.alloc(64)]);
    buf[10]! ^= 0xff;
    expect(readFrame(buf, 0, buf.length).kind).toBe('invalid');
    expect(findIntactRecordAfter(buf, 0, buf.length)).toBe(a.length);
    expect(findIntactRecordAfter(buf, a.length, buf.length)).toBeUndefined();
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, k) => (k * 151 + 7) & 0xff));
    expect(findIntactRecordAfter(garbage, 0, garbage.length)).toBeUndefined();
  });

  it('encodes snapshot metadata on its own', () => {
    const meta = { index: 5, term: 2, conf };
    expect(decodeMeta(encodeMeta(meta))).toEqual(meta);
    expect(() => decodeMeta(encodeMeta(meta).subarray(0, 30))).toThrow('bad snapshot metadata');
  });
});
