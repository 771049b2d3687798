import type { Entry, HardState, Index, SnapshotMeta, Term } from '../core/types';
import type { RaftStorage } from '../storage/types';
import type { RandomSource } from '../core/rand';
import type { Scheduler } from './scheduler';

/** What survives a crash: exactly what was synced. */
export interface DurableImage {
  readonly snapshot: SnapshotMeta;
  /** Entries after snapshot.index, in order. */
  readonly entries: readonly Entry[];
  readonly hardState: HardState;
  /** The KV state machine's checkpoint file. */
  readonly smCheckpoint: Uint8Array | undefined;
}

type Write =
  | { readonly kind: 'append'; readonly entries: readonly Entry[] }
  | { readonly kind: 'hardState'; readonly hs: HardState }
  | { readonly kind: 'boundary'; readonly meta: SnapshotMeta; readonly reset: boolean }
  | { readonly kind: 'smCheckpoint'; readonly data: Uint8Array };

export interface DiskTiming {
  /** Random fsync latency in ms. */
  syncLatency(): number;
}

/**
 * A simulated disk with the semantics of the production storage: writes are buffered and become durable
 * only when a sync that started after them completes. At a crash the durable image survives, plus a random
 * prefix of the unsynced writes in order (a torn multi-entry append keeps a prefix of its entries): that is
 * what start-up recovery leaves after truncating a torn tail.
 */
/** What a process uses of its disk: the durable image at start-up, buffered writes, and syncs. */
export interface DiskAccess {
  image(): DurableImage;
  write(w: Write): void;
  /** Resolves once every write issued before the call is durable. */
  sync(): Promise<void>;
}

export class SimDisk implements DiskAccess {
  private durable: DurableImage;
  private pending: Write[] = [];
  private syncsInFlight = 0;
  /** Incremented at every crash: the dead process can no longer write, and its fsyncs never return. */
  private epoch = 0;

  constructor(
    private readonly sched: Scheduler,
    private readonly timing: DiskTiming,
    initial: DurableImage,
  ) {
    this.durable = initial;
  }

  image(): DurableImage {
    return this.durable;
  }

  write(w: Write): void {
    this.pending.push(w);
  }

  /** Resolves once every write issued before the call is durable. */
  /** The disk as one process incarnation sees it; it goes dead at the next crash. */
  session(): DiskAccess {
    const epoch = this.epoch;
    return {
      image: () => this.image(),
      write: (w) => {
        if (epoch === this.epoch) this.write(w);
      },
      sync: () => (epoch === this.epoch ? this.sync() : new Promise<void>(() => undefined)),
    };
  }

  sync(): Promise<void> {
    const count = this.pending.length;
    const batch = this.pending.slice(0, count);
    const epoch = this.epoch;
    this.syncsInFlight++;
    return new Promise((resolve) => {
      this.sched.after(this.timing.syncLatency(), () => {
        this.syncsInFlight--;
        if (epoch !== this.epoch) return; // the process that asked is dead: it never learns of it
        // Writes are applied to the durable image in issue order; an earlier sync may have done some.
        const idx = this.pending.indexOf(batch[batch.length - 1] as Write);
        if (idx >= 0) {
          const done = this.pending.splice(0, idx + 1);
          for (const w of done) this.durable = applyWrite(this.durable, w);
        }
        resolve();
      });
    });
  }

  /** The process died: keep the durable image plus a random prefix of unsynced writes. */
  crash(rand: RandomSource): DurableImage {
    this.epoch++;
    const keep = Math.floor(rand() * (this.pending.length + 1));
    for (let i = 0; i < keep; i++) {
      const w = this.pending[i];
      if (!w) break;
      if (i === keep - 1 && w.kind === 'append' && w.entries.length > 1 && rand() < 0.5) {
        // Torn write: only some of the records made it.
        const n = 1 + Math.floor(rand() * (w.entries.length - 1));
        this.durable = applyWrite(this.durable, { kind: 'append', entries: w.entries.slice(0, n) });
      } else {
        this.durable = applyWrite(this.durable, w);
      }
    }
    this.pending = [];
    return this.durable;
  }
}

function applyWrite(img: DurableImage, w: Write): DurableImage {
  switch (w.kind) {
    case 'append': {
      const first = w.entries[0];
      if (!first) return img;
      const base = img.snapshot.index;
      // A record below the boundary cannot be written (the driver never does); keep the suffix logic simple.
      const kept = img.entries.slice(0, Math.max(0, first.index - base - 1));
      if (kept.length !== first.index - base - 1) throw new Error(`sim disk: append at ${first.index} leaves a gap`);
      return { ...img, entries: [...kept, ...w.entries] };
    }
    case 'hardState':
      return { ...img, hardState: w.hs };
    case 'boundary': {
      const { meta } = w;
      const at = meta.index - img.snapshot.index;
      const entryAt = at >= 1 ? img.entries[at - 1] : undefined;
      const keepTail = !w.reset || (entryAt !== undefined && entryAt.term === meta.term);
      const entries = keepTail && at >= 0 ? img.entries.slice(Math.max(0, at)) : [];
      return { ...img, snapshot: meta, entries };
    }
    case 'smCheckpoint':
      return { ...img, smCheckpoint: w.data };
  }
}

/** RaftStorage over a SimDisk: the in-memory view is what the process sees; the disk decides what lasts. */
export class SimStorage implements RaftStorage {
  private snap: SnapshotMeta;
  private log: Entry[];
  private readonly hs: HardState;
  closed = false;

  constructor(private readonly disk: DiskAccess) {
    const img = disk.image();
    this.snap = img.snapshot;
    this.log = [...img.entries];
    this.hs = img.hardState;
  }

  initialHardState(): HardState {
    return this.hs;
  }

  firstIndex(): Index {
    return this.snap.index + 1;
  }

  lastIndex(): Index {
    return this.snap.index + this.log.length;
  }

  term(i: Index): Term | undefined {
    if (i === this.snap.index) return this.snap.term;
    if (i < this.snap.index || i > this.lastIndex()) return undefined;
    return this.log[i - this.snap.index - 1]?.term;
  }

  entries(lo: Index, hi: Index, maxBytes: number): Entry[] {
    if (lo <= this.snap.index) throw new Error(`sim storage: entries(${lo}) below boundary ${this.snap.index}`);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi && i <= this.lastIndex(); i++) {
      const e = this.log[i - this.snap.index - 1];
      if (!e) break;
      if (out.length > 0 && bytes + e.data.length > maxBytes) break;
      bytes += e.data.length;
      out.push(e);
    }
    return out;
  }

  snapshot(): SnapshotMeta {
    return this.snap;
  }

  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (!first) return;
    if (first.index <= this.snap.index || first.index > this.lastIndex() + 1) {
      throw new Error(
        `sim storage: bad append at ${first.index} (boundary ${this.snap.index}, last ${this.lastIndex()})`,
      );
    }
    this.log = [...this.log.slice(0, first.index - this.snap.index - 1), ...entries];
    this.disk.write({ kind: 'append', entries });
  }

  setHardState(hs: HardState): void {
    this.disk.write({ kind: 'hardState', hs });
  }

  sync(): Promise<void> {
    return this.disk.sync();
  }

  installSnapshot(meta: SnapshotMeta): Promise<void> {
    const at = meta.index - this.snap.index;
    const keepTail = at >= 1 && this.log[at - 1]?.term === meta.term;
    this.log = keepTail ? this.log.slice(at) : [];
    this.snap = meta;
    this.disk.write({ kind: 'boundary', meta, reset: true });
    return this.disk.sync();
  }

  compact(boundary: SnapshotMeta): Promise<void> {
    if (boundary.index <= this.snap.index) return Promise.resolve();
    if (boundary.index > this.lastIndex()) throw new Error(`sim storage: compact beyond last index`);
    this.log = this.log.slice(boundary.index - this.snap.index);
    this.snap = boundary;
    this.disk.write({ kind: 'boundary', meta: boundary, reset: false });
    return this.disk.sync();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
