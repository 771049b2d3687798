import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeConfChange } from '../core/confchange';
import type { ConfState, Entry, Index, NodeId, SnapshotMeta } from '../core/types';
import { ConfChangeType } from '../core/types';
import type { OutgoingSnapshot, ReceivedSnapshot } from '../node/snapshot';
import type { StateMachine } from '../node/types';
import { writeFileAtomicSync } from './atomic-file';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One member as the cluster knows it. */
export interface MemberAddress {
  readonly id: NodeId;
  readonly address: string;
}

interface BookFile {
  readonly version: 1;
  readonly index: Index;
  readonly members: MemberAddress[];
  readonly retired: NodeId[];
}

/**
 * The replicated address book: every member's address, and every id ever removed (ids are never reused).
 * Raft's configuration says who votes; the book says where to reach them. It is derived from conf change
 * entries (whose context is the address) and travels inside snapshots, and it is written to its own file
 * on every change, before the change is acknowledged as applied, so it is never behind the state machine
 * after a crash. Applying a change twice is harmless.
 */
export class MemberBook {
  private indexApplied: Index;
  private readonly addresses: Map<NodeId, string>;
  private readonly retiredIds: Set<NodeId>;

  private constructor(
    private readonly file: string,
    state: BookFile,
  ) {
    this.indexApplied = state.index;
    this.addresses = new Map(state.members.map((m) => [m.id, m.address]));
    this.retiredIds = new Set(state.retired);
  }

  static load(dir: string): MemberBook {
    const file = path.join(dir, 'members.json');
    let state: BookFile = { version: 1, index: 0, members: [], retired: [] };
    if (fs.existsSync(file)) state = parseBook(fs.readFileSync(file, 'utf8'), file);
    return new MemberBook(file, state);
  }

  get index(): Index {
    return this.indexApplied;
  }

  address(id: NodeId): string | undefined {
    return this.addresses.get(id);
  }

  members(): MemberAddress[] {
    return [...this.addresses].map(([id, address]) => ({ id, address })).sort((a, b) => a.id - b.id);
  }

  isRetired(id: NodeId): boolean {
    return this.retiredIds.has(id);
  }

  /** Applies a conf change entry; false if the book already reflects it. */
  applyEntry(entry: Entry): boolean {
    if (entry.index <= this.indexApplied) return false;
    const cc = decodeConfChange(entry.data);
    if (cc.type === ConfChangeType.RemoveNode) {
      this.addresses.delete(cc.node);
      this.retiredIds.add(cc.node);
    } else if (cc.context && cc.context.length > 0) {
      this.addresses.set(cc.node, dec.decode(cc.context));
    }
    this.indexApplied = entry.index;
    this.persist();
    return true;
  }

  /** The book as bytes, for snapshots. */
  encode(): Uint8Array {
    return enc.encode(JSON.stringify(this.toFile()));
  }

  /** Replaces the book with one received in a snapshot taken at `index`. */
  replace(index: Index, bytes: Uint8Array): void {
    const state = parseBook(dec.decode(bytes), 'snapshot');
    this.addresses.clear();
    for (const m of state.members) this.addresses.set(m.id, m.address);
    this.retiredIds.clear();
    for (const id of state.retired) this.retiredIds.add(id);
    this.indexApplied = index;
    this.persist();
  }

  private toFile(): BookFile {
    return { version: 1, index: this.indexApplied, members: this.members(), retired: [...this.retiredIds] };
  }

  private persist(): void {
    writeFileAtomicSync(this.file, JSON.stringify(this.toFile()));
  }
}

function parseBook(text: string, where: string): BookFile {
  const v = JSON.parse(text) as Partial<BookFile>;
  if (v.version !== 1 || typeof v.index !== 'number' || !Array.isArray(v.members) || !Array.isArray(v.retired)) {
    throw new Error(`malformed member book in ${where}`);
  }
  return v as BookFile;
}

/**
 * Wraps the application's state machine so the member book rides along: conf changes update the book, and
 * snapshots carry it in their header.
 */
export class MembershipStateMachine implements StateMachine {
  constructor(
    private readonly inner: StateMachine,
    private readonly book: MemberBook,
    private readonly onBookChange: () => void,
  ) {}

  appliedIndex(): Index {
    return this.inner.appliedIndex();
  }

  apply(entry: Entry): unknown {
    return this.inner.apply(entry);
  }

  applyConfChange(entry: Entry, conf: ConfState): void {
    if (this.book.applyEntry(entry)) this.onBookChange();
    if (entry.index > this.inner.appliedIndex()) this.inner.applyConfChange?.(entry, conf);
  }

  checkpoint(): Promise<Index> {
    return this.inner.checkpoint();
  }

  async openSnapshot(): Promise<OutgoingSnapshot> {
    const inner = await this.inner.openSnapshot();
    // the book travels in the snapshot header; the application's bytes are untouched
    return {
      index: inner.index,
      size: inner.size,
      context: this.book.encode(),
      ...(inner.bytes ? { bytes: inner.bytes } : {}),
      chunks: (n) => inner.chunks(n),
      close: () => {
        inner.close();
      },
    };
  }

  async restore(meta: SnapshotMeta, snapshot: ReceivedSnapshot): Promise<void> {
    if (snapshot.context.length === 0) throw new Error('snapshot without its member book');
    await this.inner.restore(meta, snapshot);
    this.book.replace(meta.index, snapshot.context);
    this.onBookChange();
  }
}
