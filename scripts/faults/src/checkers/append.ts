import type { AppendOp, CheckResult, Op, OpValue } from '../history';

// An Elle-style list-append checker. Every append adds a value unique to its key, so a read of a key's list
// names exactly which transactions' appends it saw and in what order. From the reads it derives each key's
// version order (reads must all be prefixes of the longest), checks every read against the appends that were
// attempted, and builds the transaction dependency graph (ww, wr, rw edges, and optionally real-time edges)
// whose cycles are the isolation anomalies G0, G1c, G-single and G2.

export interface AppendOptions {
  /** Also order transactions by real time (T1 completed before T2 was invoked): strict serializability. */
  readonly realtime?: boolean;
  /** Anomaly lines written out per kind before the rest are only counted (default 20). */
  readonly maxLinesPerKind?: number;
}

type Status = 'committed' | 'aborted' | 'unknown';

interface Txn {
  /** Index in the history. */
  readonly id: number;
  readonly op: Op<AppendOp>;
  readonly status: Status;
  /** Values the transaction appends, per key, in order. */
  readonly appends: Map<number, number[]>;
  /** Node in the dependency graph (-1 for an aborted transaction). */
  node: number;
}

interface Writer {
  readonly txn: Txn;
  /** Position among the transaction's appends to this key. */
  readonly pos: number;
}

interface Read {
  readonly txn: Txn;
  readonly key: number;
  readonly list: readonly number[];
  /** The transaction's first read of the key, before it appended to the key itself. */
  readonly external: boolean;
}

type Kind = 'ww' | 'wr' | 'rw' | 'rt';

interface Edge {
  readonly from: number;
  readonly to: number;
  readonly kind: Kind;
  readonly key: number;
  readonly value: number;
}

const MAX_LINE = 400;
/** G-single searches (one per rw edge) tried per strongly connected component before settling for G2. */
const MAX_SINGLE_TRIES = 1000;

function isTxn(op: Op): op is Op<AppendOp> {
  const v: OpValue = op.value;
  return v.f === 'txn';
}

export function checkAppend(history: readonly Op[], opts: AppendOptions = {}): CheckResult {
  const limit = opts.maxLinesPerKind ?? 20;
  const stats: Record<string, number> = {
    txns: 0,
    ok: 0,
    fail: 0,
    info: 0,
    unresolved: 0,
    keys: 0,
    readsChecked: 0,
    malformed: 0,
    duplicate: 0,
    garbage: 0,
    G1a: 0,
    G1b: 0,
    internal: 0,
    incompatibleOrder: 0,
    lost: 0,
    cycles: 0,
    G0: 0,
    G1c: 0,
    'G-single': 0,
    G2: 0,
  };
  const bump = (name: string): void => {
    stats[name] = (stats[name] ?? 0) + 1;
  };
  const lines = new Map<string, string[]>();
  const report = (kind: string, line: string): void => {
    bump(kind);
    let list = lines.get(kind);
    if (list === undefined) lines.set(kind, (list = []));
    list.push(clip(`${kind}: ${line}`));
  };

  // Transactions and who appended what.
  const txns: Txn[] = [];
  const writers = new Map<number, Map<number, Writer>>();
  history.forEach((op, id) => {
    if (!isTxn(op)) return;
    bump('txns');
    bump(op.outcome);
    if (op.outcome === 'info' && op.recovered === undefined) bump('unresolved');
    const took = op.outcome === 'ok' ? true : op.outcome === 'fail' ? false : op.recovered;
    const status: Status = took === undefined ? 'unknown' : took ? 'committed' : 'aborted';
    const txn: Txn = { id, op, status, appends: new Map(), node: -1 };
    txns.push(txn);
    for (const mop of op.value.mops) {
      if (mop[0] !== 'append') continue;
      const [, key, value] = mop;
      let mine = txn.appends.get(key);
      if (mine === undefined) txn.appends.set(key, (mine = []));
      let byValue = writers.get(key);
      if (byValue === undefined) writers.set(key, (byValue = new Map<number, Writer>()));
      const other = byValue.get(value);
      if (other !== undefined) {
        report('malformed', `value ${value} appended to key ${key} by both ${tx(other.txn)} and ${tx(txn)}`);
        continue;
      }
      byValue.set(value, { txn, pos: mine.length });
      mine.push(value);
    }
  });
  const writerOf = (key: number, value: number): Writer | undefined => writers.get(key)?.get(value);

  // Reads of acknowledged transactions (an info transaction's reads are unknown), and reads within a
  // transaction, which must see its own earlier reads and appends.
  const reads: Read[] = [];
  for (const txn of txns) {
    if (txn.op.outcome !== 'ok') continue;
    const seen = new Map<number, { last: readonly number[] | null; mine: number[]; all: Set<number> }>();
    for (const mop of txn.op.value.mops) {
      const key = mop[1];
      let s = seen.get(key);
      if (s === undefined) seen.set(key, (s = { last: null, mine: [], all: new Set() }));
      if (mop[0] === 'append') {
        s.mine.push(mop[2]);
        s.all.add(mop[2]);
        continue;
      }
      const list = mop[2] ?? [];
      const early = (txn.appends.get(key) ?? []).filter((v) => !s.all.has(v) && list.includes(v));
      if (early.length > 0) {
        report(
          'internal',
          `${tx(txn)} read key ${key} as ${show(list)}, including its own later append(s) ${early.join(', ')}`,
        );
      }
      if (s.last !== null) {
        const expected = [...s.last, ...s.mine];
        if (!equal(list, expected)) {
          report('internal', `${tx(txn)} read key ${key} as ${show(list)} after its own view ${show(expected)}`);
        }
      } else if (s.mine.length > 0 && !equal(list.slice(list.length - s.mine.length), s.mine)) {
        report('internal', `${tx(txn)} read key ${key} as ${show(list)} after itself appending ${show(s.mine)}`);
      }
      reads.push({ txn, key, list, external: s.last === null && s.mine.length === 0 });
      s.last = list;
      s.mine = [];
    }
  }
  stats.readsChecked = reads.length;

  // Version orders: every read of a key must be a prefix of its longest read.
  const readsByKey = new Map<number, Read[]>();
  for (const r of reads) {
    let list = readsByKey.get(r.key);
    if (list === undefined) readsByKey.set(r.key, (list = []));
    list.push(r);
  }
  stats.keys = new Set([...writers.keys(), ...readsByKey.keys()]).size;
  const orders = new Map<number, readonly number[]>();
  const observed = new Map<number, Set<number>>();
  for (const [key, rs] of readsByKey) {
    const longest = rs.reduce((a, b) => (b.list.length > a.list.length ? b : a));
    const seen = new Set(longest.list);
    observed.set(key, seen);
    let consistent = seen.size === longest.list.length;
    // What a read observed must have been appended, by a transaction that took effect, once, and with all of
    // that transaction's appends to the key or none. A prefix of the longest read shares its contents, so
    // only where it ends is new.
    checkList(longest, 0);
    for (const r of rs) {
      if (r === longest) continue;
      if (isPrefix(r.list, longest.list)) {
        checkList(r, Math.max(0, r.list.length - 1));
        continue;
      }
      consistent = false;
      report(
        'incompatibleOrder',
        `key ${key}: ${tx(r.txn)} read ${show(r.list)} but ${tx(longest.txn)} read ${show(longest.list)}`,
      );
      checkList(r, 0);
      for (const v of r.list) seen.add(v);
    }
    if (consistent) orders.set(key, longest.list);
  }

  /** Checks `r`'s list from index `from` on. */
  function checkList(r: Read, from: number): void {
    const { txn, key, list } = r;
    const where = `${tx(txn)} read key ${key} as ${show(list)}`;
    const once = new Set<number>();
    const dups = new Set<number>();
    const garbage: number[] = [];
    const aborted = new Set<Txn>();
    const partial = new Set<Txn>();
    for (let i = from; i < list.length; i++) {
      const v = list[i] ?? 0;
      (once.has(v) ? dups : once).add(v);
      const w = writerOf(key, v);
      if (w === undefined) garbage.push(v);
      if (w === undefined || w.txn === txn) continue;
      if (w.txn.status === 'aborted') {
        aborted.add(w.txn);
        continue;
      }
      const next = w.txn.appends.get(key)?.[w.pos + 1];
      if (next !== undefined && list[i + 1] !== next) partial.add(w.txn);
    }
    if (dups.size > 0) report('duplicate', `${where}: ${[...dups].join(', ')} more than once`);
    if (garbage.length > 0) report('garbage', `${where}: ${garbage.join(', ')} never appended`);
    for (const a of aborted) {
      report('G1a', `${where}, including ${show(a.appends.get(key) ?? [])} from aborted ${tx(a)}`);
    }
    for (const p of partial) {
      report('G1b', `${where}: only part of ${tx(p)}'s appends ${show(p.appends.get(key) ?? [])}`);
    }
  }

  // Lost: acknowledged, then absent from every read of the key, including one invoked after it completed.
  const latest = new Map<number, Read>();
  for (const r of reads) {
    const l = latest.get(r.key);
    if (l === undefined || r.txn.op.invoke > l.txn.op.invoke) latest.set(r.key, r);
  }
  for (const txn of txns) {
    if (txn.op.outcome !== 'ok') continue;
    for (const [key, values] of txn.appends) {
      const last = latest.get(key);
      if (last === undefined || last.txn.op.invoke <= txn.op.complete) continue;
      for (const v of values) {
        if (observed.get(key)?.has(v) === true) continue;
        report(
          'lost',
          `value ${v} appended to key ${key} by ${tx(txn)} is missing from ${tx(last.txn)}'s read ${show(last.list)}`,
        );
      }
    }
  }

  // The dependency graph over transactions that may have taken effect.
  const nodes: (Txn | undefined)[] = [];
  for (const txn of txns) {
    if (txn.status === 'aborted') continue;
    txn.node = nodes.length;
    nodes.push(txn);
  }
  const graph = new Graph();
  const nodeOf = (key: number, value: number | undefined): number => {
    const w = value === undefined ? undefined : writerOf(key, value);
    return w === undefined ? -1 : w.txn.node;
  };
  for (const [key, order] of orders) {
    for (let i = 0; i + 1 < order.length; i++) {
      graph.add(nodeOf(key, order[i]), nodeOf(key, order[i + 1]), 'ww', key, order[i + 1] ?? 0);
    }
  }
  for (const r of reads) {
    if (!r.external) continue;
    const last = r.list[r.list.length - 1];
    if (last !== undefined) graph.add(nodeOf(r.key, last), r.txn.node, 'wr', r.key, last);
    const order = orders.get(r.key);
    const next = order?.[r.list.length];
    if (next !== undefined) graph.add(r.txn.node, nodeOf(r.key, next), 'rw', r.key, next);
  }
  if (opts.realtime === true) addRealtime(graph, nodes);
  graph.size = Math.max(graph.size, nodes.length);

  // Cycles: per strongly connected component, an example of each kind of anomaly it contains.
  for (const scc of components(graph, range(graph.size), () => true)) {
    bump('cycles');
    const size = scc.filter((n) => nodes[n] !== undefined).length;
    for (const { name, cycle } of classify(graph, scc, opts.realtime === true)) {
      report(name, `a cycle among ${size} txns, e.g. ${showCycle(cycle, nodes)}`);
    }
  }

  const anomalies = [...lines].flatMap(([kind, ls]) => capped(kind, ls, limit));
  return { valid: anomalies.length === 0, anomalies, stats };
}

/** Adjacency lists; nodes past the transactions are real-time helper nodes. */
class Graph {
  size = 0;
  private readonly adj: Edge[][] = [];
  private readonly seen = new Set<string>();

  add(from: number, to: number, kind: Kind, key = -1, value = -1): void {
    if (from < 0 || to < 0 || from === to) return;
    const id = `${from}>${to}>${kind}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.size = Math.max(this.size, from + 1, to + 1);
    while (this.adj.length <= from) this.adj.push([]);
    this.adj[from]?.push({ from, to, kind, key, value });
  }

  out(node: number): readonly Edge[] {
    return this.adj[node] ?? [];
  }
}

/**
 * Real-time order without a quadratic number of edges: a chain of helper nodes, one per distinct completion
 * time, so that T1 reaches T2 through the chain exactly when T1 completed before T2 was invoked.
 */
function addRealtime(graph: Graph, nodes: readonly (Txn | undefined)[]): void {
  const done = nodes.filter((t): t is Txn => t !== undefined && t.op.outcome === 'ok');
  const times = [...new Set(done.map((t) => t.op.complete))].sort((a, b) => a - b);
  const base = nodes.length;
  const helper = new Map(times.map((t, i) => [t, base + i]));
  for (let i = 0; i + 1 < times.length; i++) graph.add(base + i, base + i + 1, 'rt');
  for (const t of done) graph.add(t.node, helper.get(t.op.complete) ?? -1, 'rt');
  for (const t of nodes) {
    if (t === undefined) continue;
    // the latest completion strictly before t's invocation
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] ?? Infinity) < t.op.invoke) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) graph.add(base + lo - 1, t.node, 'rt');
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Strongly connected components (iterative Tarjan) over the edges `use` accepts, reachable from `starts`: those
 * of more than one node, or with `all`, every one, in reverse topological order.
 */
function components(graph: Graph, starts: readonly number[], use: (e: Edge) => boolean, all = false): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const result: number[][] = [];
  let counter = 0;
  const visit = (v: number): { v: number; edges: readonly Edge[]; i: number } => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    return { v, edges: graph.out(v).filter(use), i: 0 };
  };
  for (const s of starts) {
    if (index.has(s)) continue;
    const work = [visit(s)];
    for (let top = work.at(-1); top !== undefined; top = work.at(-1)) {
      const e = top.edges[top.i++];
      if (e !== undefined) {
        if (!index.has(e.to)) work.push(visit(e.to));
        else if (onStack.has(e.to)) low.set(top.v, Math.min(low.get(top.v) ?? 0, index.get(e.to) ?? 0));
        continue;
      }
      work.pop();
      const lowV = low.get(top.v) ?? 0;
      if (lowV === index.get(top.v)) {
        const scc: number[] = [];
        for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
          onStack.delete(w);
          scc.push(w);
          if (w === top.v) break;
        }
        if (all || scc.length > 1) result.push(scc);
      }
      const parent = work.at(-1);
      if (parent !== undefined) low.set(parent.v, Math.min(low.get(parent.v) ?? 0, lowV));
    }
  }
  return result;
}

/** The shortest path of accepted edges from `from` to `to` (a cycle when they are equal). */
function path(graph: Graph, from: number, to: number, use: (e: Edge) => boolean): Edge[] | undefined {
  const via = new Map<number, Edge>();
  const queue = [from];
  for (let qi = 0; qi < queue.length; qi++) {
    const v = queue[qi] ?? from;
    for (const e of graph.out(v)) {
      if (!use(e)) continue;
      if (e.to === to) {
        const steps = [e];
        for (let w = v; w !== from;) {
          const back = via.get(w);
          if (back === undefined) break;
          steps.push(back);
          w = back.from;
        }
        return steps.reverse();
      }
      if (e.to !== from && !via.has(e.to)) {
        via.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  return undefined;
}

/**
 * A cycle within `members` over edges of the given kinds that takes at least one edge of kind `through` (any
 * kind if undefined). An edge lies on such a cycle exactly when its ends share a strongly connected component.
 */
function cycleThrough(
  graph: Graph,
  members: readonly number[],
  kinds: readonly Kind[],
  through?: Kind,
): Edge[] | undefined {
  const inside = new Set(members);
  const use = (e: Edge): boolean => kinds.includes(e.kind) && inside.has(e.to);
  const comp = new Map<number, number>();
  components(graph, members, use).forEach((scc, i) => {
    for (const v of scc) comp.set(v, i);
  });
  for (const v of members) {
    const c = comp.get(v);
    if (c === undefined) continue;
    for (const e of graph.out(v)) {
      if (!use(e) || comp.get(e.to) !== c || (through !== undefined && e.kind !== through)) continue;
      const back = path(graph, e.to, e.from, (f) => use(f) && comp.get(f.to) === c);
      if (back !== undefined) return [e, ...back];
    }
  }
  return undefined;
}

/** A cycle of exactly one rw edge, closed by a path of `kinds` edges. */
function singleOf(graph: Graph, members: readonly number[], kinds: readonly Kind[]): Edge[] | undefined {
  const inside = new Set(members);
  const use = (e: Edge): boolean => kinds.includes(e.kind) && inside.has(e.to);
  // Topological ranks of the closing edges' components: a path from b back to a only passes ranks from b's
  // up to a's.
  const rank = new Map<number, number>();
  const comps = components(graph, members, use, true);
  comps.forEach((scc, i) => {
    for (const v of scc) rank.set(v, comps.length - 1 - i);
  });
  let tries = 0;
  for (const v of members) {
    const upTo = rank.get(v) ?? 0;
    for (const e of graph.out(v)) {
      if (e.kind !== 'rw' || !inside.has(e.to) || (rank.get(e.to) ?? 0) > upTo) continue;
      // past a number of searches, leave it to G2
      if (tries++ >= MAX_SINGLE_TRIES) return undefined;
      const back = path(graph, e.to, e.from, (f) => use(f) && (rank.get(f.to) ?? 0) <= upTo);
      if (back !== undefined) return [e, ...back];
    }
  }
  return undefined;
}

/**
 * The anomalies a strongly connected component shows: G0 (a cycle of ww edges), G1c (ww and wr edges, at least
 * one wr), G-single (exactly one rw edge), and only failing all of these, G2. Real-time edges, when present,
 * are only called upon when none of those exist without them.
 */
function classify(graph: Graph, scc: readonly number[], realtime: boolean): { name: string; cycle: Edge[] }[] {
  const members = [...scc].sort((a, b) => a - b);
  const found: { name: string; cycle: Edge[] }[] = [];
  const attempt = (name: string, cycle: Edge[] | undefined): void => {
    if (cycle !== undefined) found.push({ name, cycle });
  };
  attempt('G0', cycleThrough(graph, members, ['ww']));
  attempt('G1c', cycleThrough(graph, members, ['ww', 'wr'], 'wr'));
  attempt('G-single', singleOf(graph, members, ['ww', 'wr']));
  if (found.length > 0) return found;
  if (realtime) {
    const flow = cycleThrough(graph, members, ['ww', 'wr', 'rt'], 'rt');
    if (flow !== undefined)
      return [{ name: flow.some((e) => e.kind === 'wr') ? 'G1c-realtime' : 'G0-realtime', cycle: flow }];
    attempt('G-single-realtime', singleOf(graph, members, ['ww', 'wr', 'rt']));
    if (found.length > 0) return found;
  }
  const cycle = cycleThrough(graph, members, ['ww', 'wr', 'rw', 'rt']) ?? [];
  return [{ name: cycle.some((e) => e.kind === 'rt') ? 'G2-realtime' : 'G2', cycle }];
}

/** A cycle as transactions and edges, with each run through real-time helper nodes shown as one rt edge. */
function showCycle(cycle: readonly Edge[], nodes: readonly (Txn | undefined)[]): string {
  // start at a transaction so helper runs never wrap around the end
  const first = Math.max(
    0,
    cycle.findIndex((e) => nodes[e.from] !== undefined),
  );
  const steps = [...cycle.slice(first), ...cycle.slice(0, first)];
  let s = '';
  for (const e of steps) {
    const from = nodes[e.from];
    if (from !== undefined) s += `${s === '' ? tx(from) : `T${from.id}`} `;
    if (e.kind === 'rt') {
      if (nodes[e.to] !== undefined) s += '-rt-> ';
    } else {
      s += `-${e.kind} ${e.key}:${e.value}-> `;
    }
  }
  const start = steps[0] === undefined ? undefined : nodes[steps[0].from];
  return `${s}${start === undefined ? '' : `T${start.id}`}`;
}

function tx(t: Txn): string {
  const { outcome, recovered, process, invoke, complete } = t.op;
  const how =
    outcome !== 'info'
      ? outcome
      : recovered === undefined
        ? 'info/unresolved'
        : recovered
          ? 'info/committed'
          : 'info/not-committed';
  return `T${t.id}(p${process} ${how} [${invoke},${outcome === 'info' ? '?' : complete}])`;
}

function show(list: readonly number[]): string {
  if (list.length <= 8) return `[${list.join(' ')}]`;
  return `[${list.slice(0, 3).join(' ')} … ${list.slice(-3).join(' ')}] (${list.length} values)`;
}

function equal(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function isPrefix(a: readonly number[], b: readonly number[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function clip(line: string): string {
  return line.length <= MAX_LINE ? line : `${line.slice(0, MAX_LINE - 1)}…`;
}

function capped(kind: string, lines: readonly string[], limit: number): string[] {
  if (lines.length <= limit) return [...lines];
  return [...lines.slice(0, limit), `${kind}: ${lines.length - limit} more not shown`];
}
