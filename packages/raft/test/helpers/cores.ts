import type {
  Entry,
  HardState,
  Index,
  LogReader,
  Message,
  RaftConfig,
  ReadState,
  Ready,
  SnapshotMeta,
  Term,
} from '../../src';
import { RaftCore, bootstrapLog, defaultRaftConfig, EntryType, seededRandom } from '../../src';

/** An in-memory log for driving RaftCore directly in tests (everything is durable at once). */
export class MemoryLog implements LogReader {
  snap: SnapshotMeta = { index: 0, term: 0, conf: { voters: [], learners: [] } };
  ents: Entry[] = [];
  hardState: HardState = { term: 0, vote: 0, commit: 0 };

  firstIndex(): Index {
    return this.snap.index + 1;
  }
  lastIndex(): Index {
    return this.snap.index + this.ents.length;
  }
  term(i: Index): Term | undefined {
    if (i === this.snap.index) return this.snap.term;
    if (i < this.snap.index || i > this.lastIndex()) return undefined;
    return this.ents[i - this.snap.index - 1]?.term;
  }
  entries(lo: Index, hi: Index): Entry[] {
    return this.ents.slice(lo - this.snap.index - 1, hi - this.snap.index - 1);
  }
  snapshot(): SnapshotMeta {
    return this.snap;
  }
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (!first) return;
    this.ents = [...this.ents.slice(0, first.index - this.snap.index - 1), ...entries];
  }
  install(meta: SnapshotMeta): void {
    const at = meta.index - this.snap.index;
    const keep = at >= 1 && this.ents[at - 1]?.term === meta.term;
    this.ents = keep ? this.ents.slice(at) : [];
    this.snap = meta;
  }
  compact(meta: SnapshotMeta): void {
    this.ents = this.ents.slice(meta.index - this.snap.index);
    this.snap = meta;
  }
}

export interface TestNode {
  readonly id: number;
  core: RaftCore;
  readonly log: MemoryLog;
  applied: Entry[];
  /** Read states the core produced, in order. */
  reads: ReadState[];
}

/**
 * A set of cores wired by a synchronous in-memory network. Each Ready is persisted at once; messages are
 * queued and delivered by deliverAll(), so tests can drop, isolate or hold messages between steps.
 */
export class Cores {
  readonly nodes = new Map<number, TestNode>();
  queue: Message[] = [];
  private readonly cut = new Set<string>();

  constructor(
    ids: readonly number[],
    private readonly overrides: Partial<RaftConfig> = {},
  ) {
    const boot = bootstrapLog(ids);
    for (const id of ids) {
      const log = new MemoryLog();
      log.append(boot.entries);
      log.hardState = boot.hardState;
      this.nodes.set(id, { id, core: this.makeCore(id, log), log, applied: [], reads: [] });
    }
    this.settle();
  }

  private makeCore(id: number, log: MemoryLog): RaftCore {
    return new RaftCore(
      { ...defaultRaftConfig, id, random: seededRandom(42, id), ...this.overrides },
      log,
      log.hardState,
    );
  }

  node(id: number): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Adds an empty node (not yet a member) that can be added with a conf change. */
  addEmpty(id: number): TestNode {
    const log = new MemoryLog();
    const n: TestNode = { id, core: this.makeCore(id, log), log, applied: [], reads: [] };
    this.nodes.set(id, n);
    return n;
  }

  /** Restarts a node from its (fully durable) log and hard state. */
  restart(id: number): void {
    const n = this.node(id);
    n.core = this.makeCore(id, n.log);
    n.applied = [];
    this.settle();
  }

  isolate(id: number): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  /** Processes every node's Ready (persist, apply, queue messages) until nothing is left. */
  settle(): void {
    for (let guard = 0; guard < 1000; guard++) {
      let any = false;
      for (const n of this.nodes.values()) {
        while (n.core.hasReady()) {
          any = true;
          this.handle(n, n.core.ready());
        }
      }
      if (!any) return;
    }
    throw new Error('cores did not settle');
  }

  private handle(n: TestNode, rd: Ready): void {
    if (rd.snapshot) n.log.install(rd.snapshot);
    n.log.append(rd.entries);
    if (rd.hardState) n.log.hardState = rd.hardState;
    this.queue.push(...rd.messages);
    n.reads.push(...rd.readStates);
    n.core.onPersisted(rd.number);
    for (const m of rd.persistedMessages) {
      if (m.to === n.id) n.core.step(m);
      else this.queue.push(m);
    }
    for (const e of rd.committedEntries) {
      if (e.type === EntryType.ConfChange) n.core.applyConfChangeEntry(e);
      n.applied.push(e);
      n.core.onApplied(e.index);
    }
  }

  /** Delivers queued messages (and those they cause) until the network is quiet. */
  deliverAll(filter: (m: Message) => boolean = () => true): Message[] {
    const seen: Message[] = [];
    for (let guard = 0; guard < 100_000; guard++) {
      this.settle();
      const m = this.queue.shift();
      if (!m) return seen;
      seen.push(m);
      if (this.cut.has(`${m.from}>${m.to}`) || !filter(m)) continue;
      this.nodes.get(m.to)?.core.step(m);
    }
    throw new Error('network did not quiesce');
  }

  /** Ticks a node n times, then settles. */
  tick(id: number, n = 1): void {
    for (let i = 0; i < n; i++) this.node(id).core.tick();
    this.settle();
  }

  /** Makes `id` campaign and delivers everything. */
  elect(id: number): void {
    this.node(id).core.campaign();
    this.deliverAll();
  }

  leaders(): number[] {
    return [...this.nodes.values()].filter((n) => n.core.status().role === 'leader').map((n) => n.id);
  }

  propose(id: number, text: string): ReturnType<RaftCore['propose']> {
    const r = this.node(id).core.propose(new TextEncoder().encode(text));
    this.settle();
    return r;
  }

  appliedTexts(id: number): string[] {
    const dec = new TextDecoder();
    return this.node(id)
      .applied.filter((e) => e.type === EntryType.Normal)
      .map((e) => dec.decode(e.data));
  }
}
