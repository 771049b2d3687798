import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { MalformedEntryError, TransactionTooLargeError, UnsupportedEntryVersionError } from './errors';

/** The entry format version this code writes and the newest it reads. */
export const entryFormatVersion = 1;

/** Default largest encoded entry (one transaction's pages plus a little framing): 16 MiB. */
export const defaultMaxEntryBytes = 16 << 20;

/** Length in bytes of a commit token. */
export const tokenBytes = 16;

export interface CreateDatabaseEntry {
  readonly kind: 'createDatabase';
  readonly name: string;
  readonly pageSize: number;
  readonly page1: Uint8Array;
}

/** One committed SQLite transaction: page images back to back, in the addon's packed form. */
export interface FramesEntry {
  readonly kind: 'frames';
  readonly db: string;
  readonly pageSize: number;
  /** Database size in pages after the commit. */
  readonly dbSize: number;
  readonly pgnos: Uint32Array;
  /** pgnos.length * pageSize bytes. */
  readonly pages: Uint8Array;
  /** Commit tokens of the requests in this transaction ({@link tokenBytes} bytes each). */
  readonly tokens: readonly Uint8Array[];
  readonly leaderTimeMs: number;
  /** This database's transaction number (1, 2, …): a replica already holding it skips the entry. */
  readonly seq: number;
  /** The proposer's incarnation id and proposal number (empty when not known). */
  readonly proposal: Uint8Array;
}

export interface BarrierEntry {
  readonly kind: 'barrier';
  readonly term: number;
}

export type ReplicatedEntry = CreateDatabaseEntry | FramesEntry | BarrierEntry;

interface WireEntry {
  version: number;
  body?: 'createDatabase' | 'frames' | 'barrier';
  createDatabase?: { name: string; pageSize: number; page1: Uint8Array } | null;
  frames?: {
    db: string;
    pageSize: number;
    dbSize: number;
    pgnos: number[];
    pages: Uint8Array;
    tokens: Uint8Array[];
    leaderTimeMs: number;
    seq: number;
    proposal: Uint8Array;
  } | null;
  barrier?: { term: number } | null;
}

let entryType: protobuf.Type | undefined;

function type(): protobuf.Type {
  // proto/ at the repository root; the same depth from src/ and dist/
  entryType ??= protobuf
    .loadSync(path.join(__dirname, '..', '..', '..', 'proto', 'replication.proto'))
    .lookupType('walraft.replication.v1.ReplicatedEntry');
  return entryType;
}

export function encodeEntry(e: ReplicatedEntry): Uint8Array {
  const wire: WireEntry = { version: entryFormatVersion };
  switch (e.kind) {
    case 'createDatabase':
      wire.createDatabase = { name: e.name, pageSize: e.pageSize, page1: e.page1 };
      break;
    case 'frames':
      wire.frames = {
        db: e.db,
        pageSize: e.pageSize,
        dbSize: e.dbSize,
        pgnos: Array.from(e.pgnos),
        pages: e.pages,
        tokens: [...e.tokens],
        leaderTimeMs: e.leaderTimeMs,
        seq: e.seq,
        proposal: e.proposal,
      };
      break;
    case 'barrier':
      wire.barrier = { term: e.term };
      break;
  }
  return type().encode(wire).finish();
}

/** Decodes and validates an entry; the page images are views into `data` (not copied). */
export function decodeEntry(data: Uint8Array): ReplicatedEntry {
  let wire: WireEntry;
  try {
    const t = type();
    wire = t.toObject(t.decode(data), { longs: Number, defaults: true, oneofs: true }) as WireEntry;
  } catch (err) {
    throw new MalformedEntryError((err as Error).message);
  }
  if (wire.version !== entryFormatVersion) {
    if (wire.version > entryFormatVersion) throw new UnsupportedEntryVersionError(wire.version);
    throw new MalformedEntryError(`format version ${wire.version}`);
  }
  switch (wire.body) {
    case 'createDatabase': {
      const c = wire.createDatabase;
      if (!c) break;
      checkPageSize(c.pageSize);
      if (c.name.length === 0) throw new MalformedEntryError('database without a name');
      if (c.page1.length !== c.pageSize) throw new MalformedEntryError(`page 1 of ${c.page1.length} bytes`);
      return { kind: 'createDatabase', name: c.name, pageSize: c.pageSize, page1: c.page1 };
    }
    case 'frames': {
      const f = wire.frames;
      if (!f) break;
      checkPageSize(f.pageSize);
      if (f.db.length === 0) throw new MalformedEntryError('frames without a database name');
      if (f.pgnos.length === 0) throw new MalformedEntryError('frames without pages');
      if (f.pages.length !== f.pgnos.length * f.pageSize) {
        throw new MalformedEntryError(`${f.pages.length} bytes of pages for ${f.pgnos.length} pages of ${f.pageSize}`);
      }
      if (f.dbSize < 1) throw new MalformedEntryError(`database size ${f.dbSize}`);
      for (const p of f.pgnos) {
        if (p < 1 || p > f.dbSize) throw new MalformedEntryError(`page ${p} outside a database of ${f.dbSize} pages`);
      }
      for (const t of f.tokens)
        if (t.length !== tokenBytes) throw new MalformedEntryError('a commit token of wrong size');
      if (!Number.isSafeInteger(f.leaderTimeMs)) throw new MalformedEntryError('leader time out of range');
      if (!Number.isSafeInteger(f.seq) || f.seq < 1) throw new MalformedEntryError(`transaction number ${f.seq}`);
      return {
        kind: 'frames',
        db: f.db,
        pageSize: f.pageSize,
        dbSize: f.dbSize,
        pgnos: Uint32Array.from(f.pgnos),
        pages: f.pages,
        tokens: f.tokens,
        leaderTimeMs: f.leaderTimeMs,
        seq: f.seq,
        proposal: f.proposal,
      };
    }
    case 'barrier': {
      const b = wire.barrier;
      if (!b) break;
      if (!Number.isSafeInteger(b.term) || b.term < 1) throw new MalformedEntryError(`barrier term ${b.term}`);
      return { kind: 'barrier', term: b.term };
    }
    default:
      break;
  }
  throw new MalformedEntryError('entry without a body');
}

function checkPageSize(n: number): void {
  if (n < 512 || n > 65536 || (n & (n - 1)) !== 0) throw new MalformedEntryError(`page size ${n}`);
}

/**
 * Encodes a transaction's frames, refusing (before anything is proposed) one whose entry would exceed
 * `maxEntryBytes`.
 */
export function encodeFramesChecked(e: Omit<FramesEntry, 'kind'>, maxEntryBytes = defaultMaxEntryBytes): Uint8Array {
  // the pages dominate: refuse without encoding when they alone are too large
  const lower = e.pages.length + e.pgnos.length * 2 + e.tokens.length * (tokenBytes + 2);
  if (lower > maxEntryBytes) throw new TransactionTooLargeError(lower, maxEntryBytes);
  const bytes = encodeEntry({ kind: 'frames', ...e });
  if (bytes.length > maxEntryBytes) throw new TransactionTooLargeError(bytes.length, maxEntryBytes);
  return bytes;
}
