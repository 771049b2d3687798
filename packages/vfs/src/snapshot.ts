import { nativeError } from './apply';
import { ClosedError } from './errors';
import type { NativeAddon, NativeSnapshotHandle } from './native';
import { loadAddon } from './native';

/**
 * A consistent copy of a database file, read while writes continue into the WAL. Holding it
 * keeps every checkpoint from writing the file (the WAL grows meanwhile): close it promptly.
 * Open it on the writer thread right after a complete checkpoint; the pages are then the
 * state of that checkpoint. Reads go through SQLite's own file handle, never through `fs`.
 */
export class SnapshotReader {
  readonly pageSize: number;
  readonly pageCount: number;
  readonly #native: NativeAddon;
  #handle: NativeSnapshotHandle | undefined;

  private constructor(native: NativeAddon, opened: ReturnType<NativeAddon['snapshotOpen']>) {
    this.#native = native;
    this.#handle = opened.handle;
    this.pageSize = opened.pageSize;
    this.pageCount = opened.pageCount;
  }

  static open(file: string): SnapshotReader {
    const native = loadAddon();
    try {
      return new SnapshotReader(native, native.snapshotOpen(file));
    } catch (err) {
      throw nativeError(err);
    }
  }

  /** Pages firstPage .. firstPage+count-1 (1-based), back to back. */
  read(firstPage: number, count: number): Buffer {
    if (this.#handle === undefined) throw new ClosedError('the snapshot reader');
    try {
      return this.#native.snapshotRead(this.#handle, firstPage, count);
    } catch (err) {
      throw nativeError(err);
    }
  }

  /** The whole file in chunks of up to pagesPerChunk pages. */
  *chunks(pagesPerChunk = 256): Generator<Buffer> {
    for (let first = 1; first <= this.pageCount; first += pagesPerChunk) {
      yield this.read(first, Math.min(pagesPerChunk, this.pageCount - first + 1));
    }
  }

  close(): void {
    if (this.#handle === undefined) return;
    this.#native.snapshotClose(this.#handle);
    this.#handle = undefined;
  }
}
