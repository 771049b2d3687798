import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeRecord } from '../../src/storage/codec';
import type { LogRecord } from '../../src/storage/codec';
import { LogCorruptionError, LogGapError, LogMissingSegmentError } from '../../src/storage/errors';
import { LogStore } from '../../src/storage/log-store';
import { CapturingLogger, entries, entry, patchFile, recordsOf, removeDir, segmentPaths, tempDir } from './helpers';

let dir: string;
let logger: CapturingLogger;
const open: LogStore[] = [];
const SEGMENT = 1024;

beforeEach(() => {
  dir = tempDir();
  logger = new CapturingLogger();
});

afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  removeDir(dir);
});

async function openStore(): Promise<LogStore> {
  const s = await LogStore.open(dir, { logger, segmentBytes: SEGMENT });
  open.push(s);
  return s;
}

/** Writes entries 1..n (term 1) and closes the log. */
async function writeLog(n: number): Promise<void> {
  const s = await LogStore.open(dir, { logger, segmentBytes: SEGMENT });
  s.append(entries(1, n, 1));
  await s.close();
}

function lastSegment(): string {
  return segmentPaths(dir).at(-1)!;
}

/** The offset of entry i's record in `file`. */
function entryRecord(file: string, i: number): { offset: number; size: number } {
  const r = recordsOf(file).find((x) => x.record.kind === 'entry' && x.record.entry.index === i);
  if (!r) throw new Error(`entry ${i} not in ${file}`);
  return r;
}

async function expectRefusal<E extends Error>(
  kind: new (...args: never[]) => E,
  file: string,
  offset: number,
): Promise<E & { code: string; file: string; offset: number }> {
  const err: unknown = await LogStore.open(dir, { logger, segmentBytes: SEGMENT }).then(
    async (s) => {
      await s.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(kind);
  const e = err as E & { code: string; file: string; offset: number };
  expect(e.file).toBe(file);
  expect(e.offset).toBe(offset);
  expect(e.message).toContain(file);
  expect(e.message).toContain(`offset ${offset}`);
  return e;
}

describe('start-up: torn tail', () => {
  it('truncates a torn last record, logs it, and carries on appending', async () => {
    await writeLog(10);
    const file = lastSegment();
    const rec = entryRecord(file, 10);
    patchFile(file, rec.offset + rec.size / 2, Buffer.alloc(rec.size - rec.size / 2));
    let s = await openStore();
    expect(s.lastIndex()).toBe(9);
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toContain(file);
    expect(logger.messages[0]).toContain(`offset ${rec.offset}`);
    s.append([entry(10, 2)]);
    await s.close();
    s = await openStore();
    expect(logger.messages).toHaveLength(1);
    expect(s.entries(9, 11, Infinity)).toEqual([entry(9, 1), entry(10, 2)]);
  });

  it('truncates a last record cut short by the end of the file', async () => {
    await writeLog(10);
    const file = lastSegment();
    const rec = entryRecord(file, 10);
    fs.truncateSync(file, rec.offset + 5);
    const s = await openStore();
    expect(s.lastIndex()).toBe(9);
    expect(logger.messages[0]).toContain(`offset ${rec.offset}`);
  });

  it('removes a newest segment whose checkpoint never became durable', async () => {
    await writeLog(40);
    const files = segmentPaths(dir);
    const seq = files.length;
    const next = path.join(dir, `${seq.toString(16).padStart(16, '0')}.wal`);
    fs.writeFileSync(next, Buffer.concat([Buffer.from([1, 2, 3, 4, 5, 6, 7]), Buffer.alloc(SEGMENT - 7)]));
    const s = await openStore();
    expect(s.lastIndex()).toBe(40);
    expect(fs.existsSync(next)).toBe(false);
    expect(logger.messages[0]).toContain(next);
  });

  it('starts afresh when the only segment of a brand-new log is empty, and drops a stale spare file', async () => {
    fs.writeFileSync(path.join(dir, '0000000000000000.wal'), Buffer.alloc(SEGMENT));
    fs.writeFileSync(path.join(dir, 'next-segment.spare'), Buffer.alloc(100));
    const s = await openStore();
    expect(s.lastIndex()).toBe(0);
    expect(fs.existsSync(path.join(dir, 'next-segment.spare'))).toBe(true); // a new spare, full size
    expect(fs.statSync(path.join(dir, 'next-segment.spare')).size).toBe(SEGMENT);
  });
});

describe('start-up: refuses an untrustworthy log', () => {
  it('a damaged record followed by intact ones (corruption before the tail)', async () => {
    await writeLog(10);
    const file = lastSegment();
    const rec = entryRecord(file, 5);
    patchFile(file, rec.offset + 20, Buffer.from([0xff]));
    const err = await expectRefusal(LogCorruptionError, file, rec.offset);
    expect(err.code).toBe('ERR_WALRAFT_LOG_CORRUPT');
    expect(logger.messages).toEqual([]);
  });

  it('a zeroed record followed by intact ones', async () => {
    await writeLog(10);
    const file = lastSegment();
    const rec = entryRecord(file, 7);
    patchFile(file, rec.offset, Buffer.alloc(rec.size));
    await expectRefusal(LogCorruptionError, file, rec.offset);
  });

  it('a torn record at the end of a segment that is not the last', async () => {
    await writeLog(60);
    const files = segmentPaths(dir);
    expect(files.length).toBeGreaterThan(2);
    const file = files[1]!;
    const recs = recordsOf(file);
    const last = recs.at(-1)!;
    patchFile(file, last.offset + last.size - 4, Buffer.from([9, 9, 9, 9]));
    await expectRefusal(LogCorruptionError, file, last.offset);
  });

  it('a missing segment in the middle', async () => {
    await writeLog(60);
    const files = segmentPaths(dir);
    fs.unlinkSync(files[1]!);
    const err = await expectRefusal(LogMissingSegmentError, files[1]!, 0);
    expect(err.code).toBe('ERR_WALRAFT_LOG_MISSING_SEGMENT');
  });

  it('missing oldest segments whose entries no snapshot covers', async () => {
    await writeLog(60);
    const files = segmentPaths(dir);
    fs.unlinkSync(files[0]!);
    await expectRefusal(LogMissingSegmentError, files[0]!, 0);
  });

  it('a gap in entry indexes', async () => {
    const recs: LogRecord[] = [
      {
        kind: 'checkpoint',
        boundary: { index: 0, term: 0, conf: { voters: [], learners: [] } },
        hardState: { term: 0, vote: 0, commit: 0 },
        lastIndex: 0,
      },
      { kind: 'entry', entry: entry(1, 1) },
      { kind: 'entry', entry: entry(2, 1) },
      { kind: 'entry', entry: entry(4, 1) },
    ];
    const bufs = recs.map(encodeRecord);
    const file = path.join(dir, '0000000000000000.wal');
    fs.writeFileSync(file, Buffer.concat(bufs));
    const offset = bufs.slice(0, 3).reduce((n, b) => n + b.length, 0);
    const err = await expectRefusal(LogGapError, file, offset);
    expect(err.code).toBe('ERR_WALRAFT_LOG_GAP');
  });

  it('a segment checkpoint that contradicts the records before it', async () => {
    await writeLog(60);
    const files = segmentPaths(dir);
    const file = files[2]!;
    const [ckpt] = recordsOf(file);
    if (ckpt?.record.kind !== 'checkpoint') throw new Error('segment must open with a checkpoint');
    const forged = encodeRecord({ ...ckpt.record, lastIndex: ckpt.record.lastIndex + 1 });
    expect(forged.length).toBe(ckpt.size);
    patchFile(file, 0, forged);
    await expectRefusal(LogCorruptionError, file, 0);
  });
});
