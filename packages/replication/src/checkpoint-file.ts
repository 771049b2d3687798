import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Index } from '@walraft/raft';
import { writeFileAtomicSync } from '@walraft/raft';
import { fsyncPath } from './restore-journal';

/**
 * The checkpoint index (CI) and each database's transaction number then, kept beside the databases.
 * Its name starts with a dot, which no database name may, so neither it nor the temporary file of its
 * atomic rewrite can ever be taken for a database (or be clobbered by one).
 */
export const checkpointFile = '.checkpoint.json';

/** Where earlier versions kept it: a name a database could also have. */
const legacyCheckpointFile = 'checkpoint.json';

export interface Checkpoint {
  readonly index: Index;
  readonly seqs: Map<string, number>;
}

/** The checkpoint in `dir`; none yet: index 0. */
export function readCheckpoint(dir: string): Checkpoint {
  const file = path.join(dir, checkpointFile);
  if (!fs.existsSync(file)) return { index: 0, seqs: new Map() };
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as { index?: unknown; seqs?: unknown };
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  const seqs = typeof v.seqs === 'object' && v.seqs !== null ? Object.entries(v.seqs) : [];
  if (!ok(v.index) || !seqs.every(([, n]) => ok(n))) throw new Error(`malformed checkpoint index in ${file}`);
  return { index: v.index, seqs: new Map(seqs as [string, number][]) };
}

/** Replaces the checkpoint in `dir` atomically and durably. */
export function writeCheckpoint(dir: string, index: Index, seqs: ReadonlyMap<string, number>): void {
  writeFileAtomicSync(path.join(dir, checkpointFile), JSON.stringify({ index, seqs: Object.fromEntries(seqs) }));
}

const sqliteMagic = Buffer.from('SQLite format 3\0', 'latin1');

/** True when `file` exists and is not a SQLite database (a database file always starts with the magic). */
function isMetadata(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    const head = Buffer.alloc(sqliteMagic.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return n < head.length || !head.equals(sqliteMagic);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Moves a checkpoint kept under the old name to the new one, and removes a temporary file of the old name
 * a crash left (it would otherwise be opened as a database). Files under those names that are SQLite
 * databases are databases and are left alone.
 */
export function migrateLegacyCheckpoint(dir: string): void {
  const legacy = path.join(dir, legacyCheckpointFile);
  const legacyTemp = `${legacy}.tmp`;
  let changed = false;
  if (isMetadata(legacyTemp)) {
    fs.rmSync(legacyTemp);
    changed = true;
  }
  if (isMetadata(legacy)) {
    if (fs.existsSync(path.join(dir, checkpointFile))) fs.rmSync(legacy);
    else fs.renameSync(legacy, path.join(dir, checkpointFile));
    changed = true;
  }
  if (changed) fsyncPath(dir, 'r');
}
