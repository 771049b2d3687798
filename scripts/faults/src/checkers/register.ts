import type { CheckResult, Op, OpValue, RegisterOp } from '../history';

// Linearizability of per-key registers. Each key's sub-history is checked on its own (registers are
// P-compositional) with the Wing–Gong / Lowe search as Porcupine implements it: call and return events in
// time order on a doubly-linked list, a depth-first search that linearizes one pending call at a time, and a
// cache of (set of linearized ops, register value) configurations already explored.
//
// Info writes and compare-and-sets that committed, or may have, "float": they return at +Infinity, taking
// effect at any point after their invocation. A floating op can always be placed after every other op, where
// nobody observes it, so the search never has to linearize one: success is every acknowledged op linearized.

export interface RegisterOptions {
  /** Distinct search configurations explored per key before the key is given up as undecided. */
  readonly maxStates?: number;
}

const DEFAULT_MAX_STATES = 5_000_000;
const MAX_LINE = 400;

type Value = number | null;

/** One operation of a key's sub-history, as the search sees it. */
interface KeyOp {
  readonly op: Op<RegisterOp>;
  readonly invoke: number;
  /** +Infinity for a floating info op: it may take effect at any time after its invocation. */
  readonly complete: number;
}

function isRegisterOp(op: Op): op is Op<RegisterOp> {
  const v: OpValue = op.value;
  return (v.f === 'read' || v.f === 'write' || v.f === 'cas') && 'key' in v;
}

/** The value `k` may write. */
function written(k: KeyOp): number | undefined {
  const v = k.op.value;
  return v.f === 'write' ? v.value : v.f === 'cas' ? v.to : undefined;
}

/** The value an acknowledged op certainly read: a read's result, or a matched compare. */
function observes(k: KeyOp): Value | undefined {
  const v = k.op.value;
  if (k.op.outcome !== 'ok') return undefined;
  return v.f === 'read' ? (v.value ?? null) : v.f === 'cas' ? v.from : undefined;
}

/** The register's value after `k` runs on `state`, or undefined when `k` could not have run there. */
function step(state: Value, k: KeyOp): Value | undefined {
  const v = k.op.value;
  switch (v.f) {
    case 'read':
      return (v.value ?? null) === state ? state : undefined;
    case 'write':
      return v.value;
    case 'cas':
      if (state === v.from) return v.to;
      // An acknowledged cas matched. A committed (or possibly committed) info cas is only known to have run:
      // had its compare failed it would have changed nothing.
      return k.op.outcome === 'ok' ? undefined : state;
  }
}

export function checkRegister(history: readonly Op[], opts: RegisterOptions = {}): CheckResult {
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  const byKey = new Map<number, KeyOp[]>();
  let unresolved = 0;
  let ops = 0;
  for (const op of history) {
    if (!isRegisterOp(op) || op.outcome === 'fail') continue;
    const v = op.value;
    let k: KeyOp;
    if (op.outcome === 'ok') {
      k = { op, invoke: op.invoke, complete: Math.max(op.invoke, op.complete) };
    } else {
      // an info read has no effect and no value; an info write that never committed is no operation at all
      if (v.f === 'read' || op.recovered === false) continue;
      if (op.recovered === undefined) unresolved++;
      k = { op, invoke: op.invoke, complete: Infinity };
    }
    let list = byKey.get(v.key);
    if (list === undefined) byKey.set(v.key, (list = []));
    list.push(k);
    ops++;
  }

  const anomalies: string[] = [];
  let nonLinearizableKeys = 0;
  let undecided = 0;
  let states = 0;
  for (const [key, keyOps] of [...byKey].sort((a, b) => a[0] - b[0])) {
    const r = searchKey(tighten(keyOps), maxStates);
    states += r.states;
    if (r.kind === 'undecided') undecided++;
    if (r.kind === 'violation') {
      nonLinearizableKeys++;
      anomalies.push(clip(`key ${key}: not linearizable; ${r.witness}`));
    }
  }
  return {
    valid: anomalies.length === 0,
    anomalies,
    stats: { keys: byKey.size, ops, nonLinearizableKeys, undecided, unresolved, states },
  };
}

/**
 * Floating ops are what makes the search expensive: any subset of them may have happened by any point. Many
 * can be settled before searching:
 * - one whose value nothing ever observes may as well come last: the search can leave it out;
 * - one that alone writes a value an acknowledged op observes happened, before that op completed.
 */
function tighten(keyOps: readonly KeyOp[]): KeyOp[] {
  const writers = new Map<number, number>();
  const observed = new Set<number>();
  const seenBy = new Map<number, number>();
  for (const k of keyOps) {
    const v = k.op.value;
    const w = written(k);
    if (w !== undefined) writers.set(w, (writers.get(w) ?? 0) + 1);
    const seen = v.f === 'read' ? (v.value ?? null) : v.f === 'cas' ? v.from : null;
    if (seen === null) continue;
    observed.add(seen);
    if (k.op.outcome === 'ok') seenBy.set(seen, Math.min(seenBy.get(seen) ?? Infinity, k.complete));
  }
  return keyOps.flatMap((k) => {
    const w = written(k);
    if (k.complete !== Infinity || w === undefined) return [k];
    if (!observed.has(w)) return [];
    const by = seenBy.get(w);
    if (writers.get(w) !== 1 || by === undefined) return [k];
    return [{ ...k, complete: Math.max(k.invoke, by) }];
  });
}

/** A call or return event on the search's doubly-linked list; `slot` is null for the two sentinels. */
class Event {
  prev: Event = this;
  next: Event = this;
  constructor(
    readonly slot: Slot | null,
    readonly isCall: boolean,
    readonly time: number,
  ) {}
}

interface Slot {
  readonly k: KeyOp;
  /** Position among the ops with a finite return, in return order; -1 for an op returning at +Infinity. */
  readonly rank: number;
  /** Bit index among the ops returning at +Infinity; -1 for the others. */
  readonly bit: number;
  call: Event;
  ret: Event;
  /** Currently linearized. */
  done: boolean;
}

interface Frame {
  /** The op linearized at this depth, and the configuration before it. */
  readonly slot: Slot;
  readonly state: Value;
  readonly prefix: number;
  readonly extra: readonly number[];
}

type SearchResult =
  | { readonly kind: 'linearizable'; readonly states: number }
  | { readonly kind: 'undecided'; readonly states: number }
  | { readonly kind: 'violation'; readonly states: number; readonly witness: string };

function searchKey(keyOps: readonly KeyOp[], maxStates: number): SearchResult {
  // Ranks for the cache key: the linearized finite-return ops are stored as "every op of rank < prefix"
  // plus the (few, concurrent) linearized ops of higher rank; the +Infinity ops as a bitset.
  const finite = keyOps.filter((k) => k.complete !== Infinity);
  finite.sort((a, b) => a.complete - b.complete || a.invoke - b.invoke);
  const rankOf = new Map<KeyOp, number>(finite.map((k, i) => [k, i]));
  let nInf = 0;
  const head = new Event(null, false, -Infinity);
  const tail = new Event(null, false, Infinity);
  const events: Event[] = [];
  const slots: Slot[] = [];
  for (const k of keyOps) {
    const rank = rankOf.get(k) ?? -1;
    const slot: Slot = { k, rank, bit: rank < 0 ? nInf++ : -1, call: head, ret: head, done: false };
    slot.call = new Event(slot, true, k.invoke);
    slot.ret = new Event(slot, false, k.complete);
    events.push(slot.call, slot.ret);
    slots.push(slot);
  }
  const order = new Map<Slot, number>(slots.map((s, i) => [s, i]));
  const seq = (e: Event): number => (e.slot === null ? -1 : (order.get(e.slot) ?? -1));
  // At equal times calls come first: ops that touch at a millisecond boundary are treated as concurrent.
  events.sort((a, b) => {
    if (a.time !== b.time) return a.time < b.time ? -1 : 1;
    if (a.isCall !== b.isCall) return a.isCall ? -1 : 1;
    return seq(a) - seq(b);
  });
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }
  prev.next = tail;
  tail.prev = prev;

  const bits = new Uint32Array(Math.ceil(nInf / 32));
  const cache = new Set<string>();
  const stack: Frame[] = [];
  let state: Value = null;
  let prefix = 0;
  let extra: readonly number[] = [];
  let requiredLeft = finite.length;
  let best = { depth: -1, witness: '' };

  // A value only one op writes (or null, which none does) can never come back once overwritten, so while
  // acknowledged ops that read it are still to be linearized, nothing may overwrite it: any order doing so
  // is a dead end. Cutting those orders off early keeps writes nobody has observed yet from multiplying the
  // configurations (each subset of them having been overwritten unseen).
  const writers = new Map<number, number>();
  for (const k of keyOps) {
    const w = written(k);
    if (w !== undefined) writers.set(w, (writers.get(w) ?? 0) + 1);
  }
  const observers = new Map<Value, { left: number; readonly slots: Slot[] }>();
  for (const slot of slots) {
    const k = slot.k;
    const o = observes(k);
    // no search needed (nor, in a long history, always affordable) to rule out a value never written
    if (o !== undefined && o !== null && !writers.has(o)) {
      return {
        kind: 'violation',
        states: 0,
        witness: `${describe(k)} observes a value written by no op that took effect`,
      };
    }
    if (o === undefined || (o !== null && writers.get(o) !== 1)) continue;
    let obs = observers.get(o);
    if (obs === undefined) observers.set(o, (obs = { left: 0, slots: [] }));
    obs.left++;
    obs.slots.push(slot);
  }
  const pinned = (value: Value, k: KeyOp): boolean => {
    const left = observers.get(value)?.left ?? 0;
    return left > (observes(k) === value ? 1 : 0);
  };
  const observed = (k: KeyOp, by: number): void => {
    const o = observes(k);
    const obs = o === undefined ? undefined : observers.get(o);
    if (obs !== undefined) obs.left += by;
  };

  // Floating ops are only worth linearizing where something sees their effect (any valid order can be
  // rearranged to one where that holds, by moving the others to the end): never as a no-op, and never right
  // before an unconditional write. Whether the last op linearized floats is hence part of the configuration.
  const configKey = (value: Value, p: number, ex: readonly number[], floating: boolean): string => {
    let s = `${value ?? 'n'}|${p}|${ex.join(',')}|${floating ? 'f' : ''}`;
    for (const w of bits) s += `${w.toString(36)}.`;
    return s;
  };
  const allowed = (slot: Slot, next: Value): boolean => {
    if (next !== state && pinned(state, slot.k)) return false;
    if (slot.rank < 0 && next === state) return false;
    return !(slot.k.op.value.f === 'write' && (stack.at(-1)?.slot.rank ?? 0) < 0);
  };
  const flip = (bit: number): void => {
    const word = bit >>> 5;
    bits[word] = (bits[word] ?? 0) ^ (1 << (bit & 31));
  };
  const recordBest = (): void => {
    if (stack.length <= best.depth) return;
    // the op whose return the search could not get past, with what was pending alongside it
    let blocking: Slot | null = null;
    const pending: Slot[] = [];
    for (let e = head.next; e.slot !== null; e = e.next) {
      if (!e.isCall) {
        blocking = e.slot;
        break;
      }
      if (pending.length < 3 && e.slot.rank >= 0) pending.push(e.slot);
    }
    const last = stack.slice(-2).map((f) => describe(f.slot.k));
    const others = pending.filter((s) => s !== blocking).map((s) => describe(s.k));
    const awaited =
      (observers.get(state)?.left ?? 0) > 0 ? observers.get(state)?.slots.find((s) => !s.done) : undefined;
    best = {
      depth: stack.length,
      witness:
        `longest linearizable prefix ${stack.length}/${keyOps.length} ops, leaving value ${state ?? 'null'}; ` +
        `cannot place ${blocking === null ? '?' : describe(blocking.k)}` +
        (awaited !== undefined && awaited !== blocking
          ? ` while ${describe(awaited.k)} is yet to see that value`
          : '') +
        (others.length > 0 ? `; pending: ${others.join(', ')}` : '') +
        (last.length > 0 ? `; last linearized: ${last.join(', ')}` : ''),
    };
  };

  if (requiredLeft === 0) return { kind: 'linearizable', states: 0 };
  recordBest();
  let entry = head.next;
  for (;;) {
    const slot = entry.slot;
    if (slot === null) return { kind: 'linearizable', states: cache.size };
    if (entry.isCall) {
      const next = step(state, slot.k);
      if (next !== undefined && allowed(slot, next)) {
        let p = prefix;
        let ex = extra;
        if (slot.rank >= 0) [p, ex] = advance(prefix, extra, slot.rank);
        else flip(slot.bit);
        const key = configKey(next, p, ex, slot.rank < 0);
        if (!cache.has(key)) {
          cache.add(key);
          if (cache.size > maxStates) return { kind: 'undecided', states: cache.size };
          stack.push({ slot, state, prefix, extra });
          state = next;
          prefix = p;
          extra = ex;
          if (slot.rank >= 0) requiredLeft--;
          observed(slot.k, -1);
          lift(slot);
          if (requiredLeft === 0) return { kind: 'linearizable', states: cache.size };
          recordBest();
          entry = head.next;
          continue;
        }
        if (slot.rank < 0) flip(slot.bit);
      }
      entry = entry.next;
    } else {
      // An op's return with the op still unlinearized: undo the most recent choice and try the next call.
      const top = stack.pop();
      if (top === undefined) return { kind: 'violation', states: cache.size, witness: best.witness };
      state = top.state;
      prefix = top.prefix;
      extra = top.extra;
      if (top.slot.rank < 0) flip(top.slot.bit);
      if (top.slot.rank >= 0) requiredLeft++;
      observed(top.slot.k, 1);
      unlift(top.slot);
      entry = top.slot.call.next;
    }
  }
}

/** The (prefix, extra ranks) representation after also linearizing the finite-return op of `rank`. */
function advance(prefix: number, extra: readonly number[], rank: number): [number, readonly number[]] {
  if (rank !== prefix) {
    let i = 0;
    while (i < extra.length && (extra[i] ?? 0) < rank) i++;
    return [prefix, [...extra.slice(0, i), rank, ...extra.slice(i)]];
  }
  let p = prefix + 1;
  let i = 0;
  while (i < extra.length && extra[i] === p) {
    i++;
    p++;
  }
  return [p, i === 0 ? extra : extra.slice(i)];
}

function lift(slot: Slot): void {
  slot.done = true;
  for (const e of [slot.call, slot.ret]) {
    e.prev.next = e.next;
    e.next.prev = e.prev;
  }
}

function unlift(slot: Slot): void {
  slot.done = false;
  for (const e of [slot.ret, slot.call]) {
    e.prev.next = e;
    e.next.prev = e;
  }
}

function describe(k: KeyOp): string {
  const v = k.op.value;
  const what =
    v.f === 'read' ? `read ${v.value ?? 'null'}` : v.f === 'write' ? `write ${v.value}` : `cas ${v.from}->${v.to}`;
  const how = k.op.outcome === 'ok' ? 'ok' : k.op.recovered === true ? 'info/committed' : 'info/unresolved';
  const end = k.op.outcome === 'info' ? '∞)' : `${k.complete}]`;
  return `p${k.op.process} ${what} ${how} [${k.invoke},${end}`;
}

function clip(line: string): string {
  return line.length <= MAX_LINE ? line : `${line.slice(0, MAX_LINE - 1)}…`;
}
