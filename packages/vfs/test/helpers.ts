import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { CheckpointMode, CheckpointResult } from '../src';
import { createDatabaseFile, emptyDatabaseImage, openDatabase, registerReplicated } from '../src';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `walraft-vfs-${prefix}-`));
}

/** A replicated database created from the shared page-1 image; returns its canonical path. */
export function newReplicatedDb(dir: string, name: string, pageSize: number): string {
  const file = path.join(dir, name);
  createDatabaseFile(file, emptyDatabaseImage(pageSize));
  return registerReplicated(file);
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every page of the database as a connection reads it now (WAL included), hashed. */
export function pageHashes(file: string): string[] {
  const db = openDatabase(file, { readonly: true });
  try {
    return connectionPageHashes(db);
  } finally {
    db.close();
  }
}

export function connectionPageHashes(db: Database.Database): string[] {
  const image = db.serialize();
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const hashes: string[] = [];
  for (let off = 0; off < image.length; off += pageSize) {
    hashes.push(
      crypto
        .createHash('sha1')
        .update(image.subarray(off, off + pageSize))
        .digest('hex'),
    );
  }
  return hashes;
}

export function integrityCheck(file: string): string {
  const db = openDatabase(file, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

export interface WorkerReply {
  id: number;
  ok: boolean;
  code?: string;
  message?: string;
  failure?: 'not-committed' | 'outcome-unknown';
  inTransaction?: boolean;
  row?: Record<string, unknown>;
  result?: CheckpointResult;
}

/** The writer thread of a replicated database (test/fixtures/leader-worker.js). */
export class LeaderWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (r: WorkerReply) => void>();
  #next = 1;
  readonly exited: Promise<number>;

  constructor(file: string, options: { raw?: boolean } = {}) {
    this.#worker = new Worker(path.join(__dirname, 'fixtures', 'leader-worker.js'), {
      workerData: { path: file, raw: options.raw ?? false },
    });
    this.#worker.on('message', (r: WorkerReply) => {
      const done = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      done?.(r);
    });
    this.exited = new Promise((resolve) => this.#worker.once('exit', resolve));
  }

  #call(msg: Record<string, unknown>): Promise<WorkerReply> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#worker.postMessage({ ...msg, id });
    });
  }

  exec(sql: string): Promise<WorkerReply> {
    return this.#call({ op: 'exec', sql });
  }

  /** exec() with the connection's internal writes on (withInternalWrites). */
  execInternal(sql: string): Promise<WorkerReply> {
    return this.#call({ op: 'exec', sql, internal: true });
  }

  get(sql: string): Promise<WorkerReply> {
    return this.#call({ op: 'get', sql });
  }

  checkpoint(mode: CheckpointMode): Promise<WorkerReply> {
    return this.#call({ op: 'checkpoint', mode });
  }

  #closing: Promise<void> | undefined;

  /** Closes the connections and ends the thread; idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#call({ op: 'close' }).then(async () => {
      await this.exited;
    });
    return this.#closing;
  }
}
