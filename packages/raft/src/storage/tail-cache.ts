import type { Entry, Index } from '../core/types';

/**
 * The most recent entries, kept in memory so the hot tail (replication to followers that are nearly caught up,
 * and entries not yet written to a file) is served without disk reads. Contiguous: [firstIndex, lastIndex].
 */
export class TailCache {
  private base: Index;
  private entries: Entry[] = [];
  private bytes = 0;

  constructor(first: Index) {
    this.base = first;
  }

  get size(): number {
    return this.entries.length;
  }

  get byteSize(): number {
    return this.bytes;
  }

  get firstIndex(): Index {
    return this.base;
  }

  get(i: Index): Entry | undefined {
    return i >= this.base ? this.entries[i - this.base] : undefined;
  }

  /** Appends an entry; one that does not follow the last cached entry restarts the cache at its index. */
  push(e: Entry): void {
    if (e.index !== this.base + this.entries.length) this.reset(e.index);
    this.entries.push(e);
    this.bytes += e.data.length;
  }

  reset(first: Index): void {
    this.base = first;
    this.entries = [];
    this.bytes = 0;
  }

  /** Removes entries ≥ i (the conflicting suffix of an append). */
  truncateFrom(i: Index): void {
    if (i <= this.base) {
      this.reset(i);
      return;
    }
    const keep = i - this.base;
    for (const e of this.entries.slice(keep)) this.bytes -= e.data.length;
    if (keep < this.entries.length) this.entries.length = keep;
  }

  /** Removes entries ≤ i (a new snapshot boundary). */
  dropThrough(i: Index): void {
    if (i < this.base) return;
    if (i >= this.base + this.entries.length - 1) {
      this.reset(i + 1);
      return;
    }
    for (const e of this.entries.splice(0, i - this.base + 1)) this.bytes -= e.data.length;
    this.base = i + 1;
  }

  /**
   * Drops the oldest entries while the cache holds more than `maxEntries` or `maxBytes`, but never one that
   * `evictable` refuses (an entry not yet written to its file can only be read from here).
   */
  evict(maxEntries: number, maxBytes: number, evictable: (i: Index) => boolean): void {
    let n = 0;
    while (
      n < this.entries.length &&
      (this.entries.length - n > maxEntries || this.bytes > maxBytes) &&
      evictable(this.base + n)
    ) {
      this.bytes -= this.entries[n]?.data.length ?? 0;
      n++;
    }
    if (n > 0) {
      this.entries.splice(0, n);
      this.base += n;
    }
  }
}
