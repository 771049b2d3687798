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
