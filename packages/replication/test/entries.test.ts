import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import type { FramesEntry } from '../src';
import {
  MalformedEntryError,
  TransactionTooLargeError,
  UnsupportedEntryVersionError,
  decodeEntry,
  encodeEntry,
  encodeFramesChecked,
} from '../src';

const wire = protobuf
  .loadSync(path.join(__dirname, '..', '..', '..', 'proto', 'replication.proto'))
  .lookupType('walraft.replication.v1.ReplicatedEntry');

function frames(pageSize: number, pgnos: number[], dbSize = Math.max(...pgnos)): FramesEntry {
  return {
    kind: 'frames',
    db: 'app.db',
    pageSize,
    dbSize,
    pgnos: Uint32Array.from(pgnos),
    pages: randomBytes(pgnos.length * pageSize),
    tokens: [randomBytes(16), randomBytes(16)],
    leaderTimeMs: 1_795_000_000_000,
    seq: 7,
    proposal: new Uint8Array([1, 2, 3]),
  };
}

/** The fields encodeFramesChecked takes: a frames entry without its kind. */
function fields(e: FramesEntry): Omit<FramesEntry, 'kind'> {
  const { db, pageSize, dbSize, pgnos, pages, tokens, leaderTimeMs, seq, proposal } = e;
  return { db, pageSize, dbSize, pgnos, pages, tokens, leaderTimeMs, seq, proposal };
}

describe('replicated entries', () => {
  it('round-trip a transaction of frames, its pages decoded as views of the entry bytes', () => {
    const e = frames(4096, [1, 7, 3]);
    const bytes = encodeEntry(e);
    const d = decodeEntry(bytes);
    expect(d).toEqual({ ...e, pages: expect.any(Uint8Array) as unknown, tokens: expect.any(Array) as unknown });
    if (d.kind !== 'frames') throw new Error('not frames');
    expect(Buffer.from(d.pages).equals(Buffer.from(e.pages))).toBe(true);
    expect(d.tokens.map((t) => Buffer.from(t).toString('hex'))).toEqual(
      e.tokens.map((t) => Buffer.from(t).toString('hex')),
    );
    expect(d.pages.buffer).toBe(bytes.buffer);
  });

  it('round-trip database creation and barriers', () => {
    const c = { kind: 'createDatabase', name: 'app.db', pageSize: 512, page1: randomBytes(512) } as const;
    expect(decodeEntry(encodeEntry(c))).toEqual({ ...c, page1: expect.any(Uint8Array) as unknown });
    expect(decodeEntry(encodeEntry({ kind: 'barrier', term: 42 }))).toEqual({ kind: 'barrier', term: 42 });
  });

  it('refuse entries that would break a replica', () => {
    const bad = (obj: Record<string, unknown>): Uint8Array => wire.encode(wire.fromObject(obj)).finish();
    expect(() => decodeEntry(Uint8Array.from([0xff, 0xff, 0xff]))).toThrow(MalformedEntryError);
    expect(() => decodeEntry(bad({ version: 1 }))).toThrow(/without a body/);
    expect(() => decodeEntry(bad({ version: 2, barrier: { term: 1 } }))).toThrow(UnsupportedEntryVersionError);
    expect(() => decodeEntry(bad({ version: 0, barrier: { term: 1 } }))).toThrow(MalformedEntryError);
    const f = frames(1024, [2]);
    const base = {
      db: 'a',
      pageSize: 1024,
      dbSize: 2,
      pgnos: [2],
      pages: f.pages,
      tokens: [],
      leaderTimeMs: 1,
      seq: 1,
      proposal: new Uint8Array(0),
    };
    expect(() => decodeEntry(bad({ version: 1, frames: { ...base, pageSize: 1000 } }))).toThrow(/page size/);
    expect(() => decodeEntry(bad({ version: 1, frames: { ...base, pgnos: [2, 3] } }))).toThrow(/bytes of pages/);
    expect(() => decodeEntry(bad({ version: 1, frames: { ...base, dbSize: 1 } }))).toThrow(/outside/);
    expect(() => decodeEntry(bad({ version: 1, frames: { ...base, tokens: [Buffer.alloc(3)] } }))).toThrow(/token/);
    expect(() => decodeEntry(bad({ version: 1, frames: { ...base, db: '' } }))).toThrow(/name/);
  });

  it('refuse a transaction above the maximum entry size before proposing', () => {
    const big = fields(
      frames(
        65536,
        Array.from({ length: 300 }, (_, i) => i + 1),
      ),
    );
    expect(() => encodeFramesChecked(big, 16 << 20)).toThrow(TransactionTooLargeError);
    const err = (() => {
      try {
        encodeFramesChecked(big, 1 << 20);
      } catch (e) {
        return e as TransactionTooLargeError;
      }
      return undefined;
    })();
    expect(err?.definite).toBe(true);
    expect(err?.limit).toBe(1 << 20);
    const small = fields(frames(4096, [1, 2]));
    expect(decodeEntry(encodeFramesChecked(small))).toMatchObject({ kind: 'frames', pageSize: 4096 });
  });
});
