import type { Index, Term } from '../core/types';

/** Where an entry's record lives on disk. */
export interface RecordLocation {
  readonly segment: number;
  readonly offset: number;
  readonly size: number;
}

/**
 * The in-memory index of the log: for each entry from `firstIndex` on, its term and where its record lives.
 * O(1) term and location look-ups; truncation and prefix removal keep it aligned with the log.
 */
export class LogIndex {
  private base: Index;
  private terms: Term[] = [];
  private segments: number[] = [];
  private offsets: number[] = [];
  private sizes: number[] = [];

  /** An empty index whose next entry will be `first`. */
  constructor(first: Index) {
    this.base = first;
  }

  get firstIndex(): Index {
    return this.base;
  }

  /** The index of the last entry, or firstIndex - 1 when empty. */
  get lastIndex(): Index {
    return this.base + this.terms.length - 1;
  }

  /** Empties the index; the next entry will be `first`. */
  reset(first: Index): void {
    this.base = first;
    this.terms = [];
    this.segments = [];
    this.offsets = [];
    this.sizes = [];
  }

  push(index: Index, term: Term, loc: RecordLocation): void {
    if (index !== this.lastIndex + 1) throw new Error(`log index: push ${index} after ${this.lastIndex}`);
    this.terms.push(term);
    this.segments.push(loc.segment);
    this.offsets.push(loc.offset);
    this.sizes.push(loc.size);
  }

  /** Removes entries ≥ i. Below the first entry, the index restarts at i. */
  truncateFrom(i: Index): void {
    if (i <= this.base) {
      this.reset(i);
      return;
    }
    const keep = i - this.base;
    if (keep >= this.terms.length) return;
    this.terms.length = keep;
    this.segments.length = keep;
    this.offsets.length = keep;
    this.sizes.length = keep;
  }

  /** Removes entries ≤ i. Past the last entry, the index restarts at i + 1. */
  dropThrough(i: Index): void {
    if (i < this.base) return;
    if (i >= this.lastIndex) {
      this.reset(i + 1);
      return;
    }
    const n = i - this.base + 1;
    this.terms.splice(0, n);
    this.segments.splice(0, n);
    this.offsets.splice(0, n);
    this.sizes.splice(0, n);
    this.base = i + 1;
  }

  term(i: Index): Term | undefined {
    return i >= this.base ? this.terms[i - this.base] : undefined;
  }

  location(i: Index): RecordLocation | undefined {
    if (i < this.base) return undefined;
    const k = i - this.base;
    const segment = this.segments[k];
    const offset = this.offsets[k];
    const size = this.sizes[k];
    if (segment === undefined || offset === undefined || size === undefined) return undefined;
    return { segment, offset, size };
  }
}
