import type Database from 'better-sqlite3';
import { DatabaseSetupError } from './errors';
import { loadAddon } from './native';

/**
 * Tables (and indexes, views, triggers) whose names start with this, in any case, are the
 * replication layer's own: on a replicated database user SQL can read them but not write,
 * alter, drop or create them (native/guard.c).
 */
export const RESERVED_NAME_PREFIX = '_walraft_';

let key: Buffer | undefined;

function internalKey(): Buffer {
  key ??= loadAddon().internalKey();
  return key;
}

/**
 * Turns the replication layer's internal writes on or off for one connection of a replicated
 * database; returns the previous setting. While on, statements prepared on the connection
 * may write and alter the reserved `_walraft_*` tables. The check runs when a statement is
 * prepared, and again when SQLite re-prepares it after a schema change: enable, prepare and
 * run the internal statements, disable (withInternalWrites does that). Never keep a
 * statement prepared while enabled for later, and never prepare user SQL while enabled.
 * Throws DatabaseSetupError on a connection whose database is not replicated.
 */
export function enableInternalWrites(db: Database.Database, on: boolean): boolean {
  return setGuardMode(db, on ? GuardMode.Internal : GuardMode.User) === GuardMode.Internal;
}

/** The guard modes of native/guard.c. */
const GuardMode = { User: 0, Internal: 1, ManagedTransaction: 2 } as const;
type GuardMode = (typeof GuardMode)[keyof typeof GuardMode];

/** The mode switch of each connection, prepared once (calling the function needs no authorization). */
const toggles = new WeakMap<Database.Database, Database.Statement<[Buffer, number]>>();

function setGuardMode(db: Database.Database, mode: GuardMode): GuardMode {
  let toggle = toggles.get(db);
  try {
    if (toggle === undefined) {
      toggle = db.prepare<[Buffer, number]>('SELECT walraft_internal(?, ?)').pluck();
      toggles.set(db, toggle);
    }
  } catch (err) {
    // duck-typed: better-sqlite3's errors belong to the realm that loaded it first
    if (
      typeof err === 'object' &&
      err !== null &&
      'message' in err &&
      typeof err.message === 'string' &&
      err.message.includes('no such function: walraft_internal')
    ) {
      throw new DatabaseSetupError(`internal writes need a replicated database (${db.name})`, { cause: err });
    }
    throw err;
  }
  return toggle.get(internalKey(), mode) as GuardMode;
}

/**
 * Runs user SQL inside a transaction the caller manages (e.g. one request of a group commit):
 * while fn runs, statements prepared on the connection cannot BEGIN, COMMIT, END or ROLLBACK
 * (they fail with "not authorized"); savepoints stay allowed. The previous mode is restored.
 */
export function withManagedTransaction<T>(db: Database.Database, fn: () => T): T {
  const previous = setGuardMode(db, GuardMode.ManagedTransaction);
  try {
    return fn();
  } finally {
    if (db.open) setGuardMode(db, previous);
  }
}

/** Runs fn with internal writes on, then restores the previous setting. */
export function withInternalWrites<T>(db: Database.Database, fn: () => T): T {
  const previous = enableInternalWrites(db, true);
  try {
    return fn();
  } finally {
    if (db.open) enableInternalWrites(db, previous);
  }
}
