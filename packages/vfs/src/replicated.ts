import { loadAddon } from './native';
import { canonicalPath } from './paths';

/**
 * Marks a database path as replicated. From then on every connection that opens it gets the
 * shim's wrapping file methods: commits go through the commit gate and the guard rails
 * apply. Register before opening any connection on it. Returns the canonical path.
 */
export function registerReplicated(file: string): string {
  const p = canonicalPath(file);
  loadAddon().register(p);
  return p;
}

/** Undoes one registerReplicated(); connections opened afterwards are plain SQLite. */
export function unregisterReplicated(file: string): void {
  loadAddon().unregister(canonicalPath(file));
}

export function isReplicated(file: string): boolean {
  return loadAddon().isRegistered(canonicalPath(file));
}

/** A storage fault to inject: the disk is full (SQLITE_FULL) or a write fails (SQLITE_IOERR_WRITE). */
export type WriteFault = 'full' | 'io-error';

const faultCodes: Record<WriteFault, number> = { full: 13, 'io-error': 10 | (3 << 8) };

/**
 * For fault tests: from now on every write to a replicated database or its WAL — the leader's commits,
 * follower applies, checkpoints — fails as if the disk were full or broken, until called with
 * `undefined`. Reads keep working.
 */
export function injectWriteFault(file: string, fault: WriteFault | undefined): void {
  loadAddon().setWriteFault(canonicalPath(file), fault === undefined ? 0 : faultCodes[fault]);
}
