import * as path from 'node:path';
import Database from 'better-sqlite3';
import { AddonLoadError, SqliteVersionError } from './errors';

/** Opaque handle of a native apply connection. */
export interface NativeApplyHandle {
  readonly __brand: 'NativeApplyHandle';
}

/** Opaque handle of a native snapshot reader. */
export interface NativeSnapshotHandle {
  readonly __brand: 'NativeSnapshotHandle';
}

/** What the gate hands to JavaScript for one captured transaction. */
export interface NativeGatePayload {
  seq: number;
  pageSize: number;
  dbSize: number;
  pgnos: Uint32Array;
  data: Buffer;
}

export interface NativeGateStats {
  committed: number;
  aborted: number;
  timedOut: number;
  lastSeq: number;
  lastOutcome: number;
}

export interface NativeWalInfo {
  mxFrame: number;
  nPage: number;
  nBackfill: number;
  iChange: number;
  salt1: number;
  salt2: number;
  pageSize: number;
  applied: number;
  restarts: number;
}

export interface NativeCheckpointResult {
  busy: boolean;
  log: number;
  checkpointed: number;
}

/** The N-API face of the addon (native/addon.c). */
export interface NativeAddon {
  extensionReady(): boolean;
  sqliteVersion(): { number: number; text: string; sourceId: string };
  register(path: string): void;
  unregister(path: string): void;
  isRegistered(path: string): boolean;
  setWriteFault(path: string, sqliteCode: number): void;
  gateOpen(path: string, onPayload: (payload: NativeGatePayload) => void, timeoutMs: number): void;
  gateClose(path: string): void;
  gateResolve(path: string, seq: number, verdict: number): boolean;
  gateStats(path: string): NativeGateStats;
  applyOpen(path: string): NativeApplyHandle;
  applyClose(handle: NativeApplyHandle): void;
  applyFrames(handle: NativeApplyHandle, pageSize: number, dbSize: number, pgnos: Uint32Array, data: Uint8Array): void;
  checkpoint(handle: NativeApplyHandle, mode: number): NativeCheckpointResult;
  walInfo(handle: NativeApplyHandle): NativeWalInfo;
  snapshotOpen(path: string): { handle: NativeSnapshotHandle; pageSize: number; pageCount: number };
  snapshotRead(handle: NativeSnapshotHandle, firstPage: number, count: number): Buffer;
  snapshotClose(handle: NativeSnapshotHandle): void;
  installSnapshot(handle: NativeApplyHandle, pageSize: number, data: Uint8Array): void;
  installSnapshotFile(
    handle: NativeApplyHandle,
    pageSize: number,
    file: string,
    offset: number,
    pageCount: number,
  ): void;
  /** The process-wide key of the SQL function walraft_internal() (a copy, 16 bytes). */
  internalKey(): Buffer;
}

/** The SQLite release line the wal-index code was validated against (see native/common.h). */
export const SUPPORTED_SQLITE = '3.53';

const buildType = process.env.WALRAFT_NATIVE_DEBUG === '1' ? 'Debug' : 'Release';

/** Absolute path of the compiled addon; also what `db.loadExtension()` is given. */
export const addonPath: string = path.join(__dirname, '..', 'build', buildType, 'walraft_vfs.node');

let addon: NativeAddon | undefined;

function requireAddon(): NativeAddon {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(addonPath) as NativeAddon;
  } catch (err) {
    throw new AddonLoadError(addonPath, err);
  }
}

/**
 * Loads the addon and its SQLite face: the extension is loaded once into better-sqlite3's
 * SQLite (through a throwaway connection), which registers the shim VFS as the default VFS.
 * Refuses to run on a SQLite release other than the validated one. Idempotent.
 */
export function loadAddon(): NativeAddon {
  if (addon !== undefined) return addon;
  const native = requireAddon();
  if (!native.extensionReady()) {
    const boot = new Database(':memory:');
    try {
      boot.loadExtension(addonPath);
    } catch (err) {
      const version = String((boot.prepare('SELECT sqlite_version() AS v').get() as { v: unknown }).v);
      if (!version.startsWith(`${SUPPORTED_SQLITE}.`)) throw new SqliteVersionError(version, SUPPORTED_SQLITE);
      throw err;
    } finally {
      boot.close();
    }
  }
  const version = native.sqliteVersion().text;
  if (!version.startsWith(`${SUPPORTED_SQLITE}.`)) throw new SqliteVersionError(version, SUPPORTED_SQLITE);
  addon = native;
  return native;
}
