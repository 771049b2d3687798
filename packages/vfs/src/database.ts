import Database from 'better-sqlite3';
import { DatabaseSetupError } from './errors';
import { addonPath, loadAddon } from './native';
import { canonicalPath } from './paths';

export interface OpenOptions {
  /** Open read-only (followers' user connections always are). */
  readonly?: boolean;
}

/**
 * Opens a better-sqlite3 connection through the shim VFS. On a replicated database the
 * connection is checked and configured for replication: WAL mode, synchronous=NORMAL, no
 * automatic checkpoints, no checkpoint on close, ATTACH of files refused, and the pragmas
 * that would make replicas diverge rejected by the shim.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  const native = loadAddon();
  const replicated = native.isRegistered(canonicalPath(file));
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: replicated });
  if (!replicated) return db;
  try {
    // the extension's per-connection init applies the settings (native/guard.c)
    db.loadExtension(addonPath);
    const mode = db.pragma('journal_mode', { simple: true });
    if (mode !== 'wal') throw new DatabaseSetupError(`${file} is not in WAL mode (journal_mode=${String(mode)})`);
    const sync = db.pragma('synchronous', { simple: true });
    if (sync !== 1) throw new DatabaseSetupError(`synchronous=NORMAL did not take effect on ${file}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
