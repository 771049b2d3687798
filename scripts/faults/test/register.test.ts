import { check, checkRegister } from '../src/checkers';
import { seededRandom } from '@walraft/raft';
import type { Op, Outcome, RegisterOp } from '../src/history';

type R = Op<RegisterOp>;

function at(
  process: number,
  invoke: number,
  complete: number,
  value: RegisterOp,
  outcome: Outcome = 'ok',
  recovered?: boolean,
): R {
  return { process, invoke, complete, outcome, value, recovered };
}
const read = (p: number, i: number, c: number, value: number | null, key = 1): R =>
  at(p, i, c, { f: 'read', key, value });
const write = (p: number, i: number, c: number, value: number, key = 1, outcome: Outcome = 'ok', recovered?: boolean) =>
  at(p, i, c, { f: 'write', key, value }, outcome, recovered);
const cas = (
  p: number,
  i: number,
  c: number,
  from: number,
  to: number,
  key = 1,
  outcome: Outcome = 'ok',
  rec?: boolean,
) => at(p, i, c, { f: 'cas', key, from, to }, outcome, rec);

describe('checkRegister: valid histories', () => {
  test('a sequential history of reads, writes and compare-and-sets', () => {
    const r = checkRegister([
      read(1, 0, 1, null),
      write(1, 2, 3, 1),
      read(2, 4, 5, 1),
      cas(2, 6, 7, 1, 2),
      read(1, 8, 9, 2),
    ]);
    expect(r.valid).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.stats).toEqual(
      expect.objectContaining({ keys: 1, ops: 5, nonLinearizableKeys: 0, undecided: 0, unresolved: 0 }),
    );
  });

  test('a read concurrent with a write may see either value', () => {
    for (const seen of [null, 1]) {
      expect(checkRegister([write(1, 0, 10, 1), read(2, 5, 15, seen)]).valid).toBe(true);
    }
  });

  test('concurrent writes may take effect in either order, and reads pin down one', () => {
    const h = [write(1, 0, 10, 1), write(2, 0, 10, 2), read(3, 20, 30, 1), read(4, 31, 40, 1)];
    expect(checkRegister(h).valid).toBe(true);
    expect(checkRegister([...h.slice(0, 2), read(3, 20, 30, 2)]).valid).toBe(true);
  });

  test('ops touching at the same millisecond are treated as concurrent', () => {
    expect(checkRegister([write(1, 0, 10, 1), read(2, 10, 12, null)]).valid).toBe(true);
  });

  test('a failed write and a cas whose compare failed have no effect; an info read is ignored', () => {
    const r = checkRegister([
      write(1, 0, 1, 1),
      write(2, 2, 3, 2, 1, 'fail'),
      cas(1, 4, 5, 7, 8, 1, 'fail'),
      at(3, 6, 7, { f: 'read', key: 1 }, 'info'),
      read(2, 8, 9, 1),
    ]);
    expect(r.valid).toBe(true);
    expect(r.stats.ops).toBe(2);
  });

  test('an info write that committed may take effect any time after its invocation', () => {
    const h = [write(1, 0, 10, 1), write(2, 20, 25, 2, 1, 'info', true), read(3, 30, 40, 1), read(3, 500, 510, 2)];
    expect(checkRegister(h).valid).toBe(true);
    // ...but not before it was invoked
    expect(checkRegister([write(1, 0, 10, 1), read(3, 12, 15, 2), write(2, 20, 25, 2, 1, 'info', true)]).valid).toBe(
      false,
    );
  });

  test('an unresolved info write may or may not have happened, and is counted', () => {
    const seen = checkRegister([write(1, 0, 10, 1), write(2, 20, 25, 2, 1, 'info'), read(3, 30, 40, 2)]);
    const unseen = checkRegister([write(1, 0, 10, 1), write(2, 20, 25, 2, 1, 'info'), read(3, 30, 40, 1)]);
    expect(seen.valid).toBe(true);
    expect(unseen.valid).toBe(true);
    expect(seen.stats.unresolved).toBe(1);
  });

  test('an unresolved info cas may or may not have happened', () => {
    const base = [write(1, 0, 10, 1), cas(2, 20, 25, 1, 2, 1, 'info')];
    expect(checkRegister([...base, read(3, 30, 40, 2), read(3, 41, 42, 2)]).valid).toBe(true);
    expect(checkRegister([...base, read(3, 30, 40, 1), read(3, 41, 42, 1)]).valid).toBe(true);
    // not both: once the register read 2 it cannot go back to 1
    expect(checkRegister([...base, read(3, 30, 40, 2), read(3, 41, 42, 1)]).valid).toBe(false);
  });

  test('a committed info cas whose compare could not have matched changed nothing', () => {
    const h = [write(1, 0, 10, 1), cas(2, 20, 25, 5, 6, 1, 'info', true), read(3, 30, 40, 1)];
    expect(checkRegister(h).valid).toBe(true);
  });

  test('an info op that never committed is no op at all', () => {
    const h = [write(1, 0, 10, 1), write(2, 20, 25, 2, 1, 'info', false), read(3, 30, 40, 2)];
    expect(checkRegister(h).valid).toBe(false);
    expect(checkRegister([...h.slice(0, 2), read(3, 30, 40, 1)]).valid).toBe(true);
  });

  test('keys are independent', () => {
    const r = checkRegister([
      write(1, 0, 10, 1, 1),
      write(2, 0, 10, 1, 2),
      read(1, 20, 30, 1, 1),
      read(2, 20, 30, null, 3),
    ]);
    expect(r.valid).toBe(true);
    expect(r.stats.keys).toBe(3);
  });
});

describe('checkRegister: anomalies', () => {
  test('a stale read', () => {
    const r = checkRegister([write(1, 0, 10, 1), write(2, 20, 30, 2), read(3, 40, 50, 1)]);
    expect(r.valid).toBe(false);
    expect(r.stats.nonLinearizableKeys).toBe(1);
    expect(r.anomalies).toHaveLength(1);
    expect(r.anomalies[0]).toBe(
      'key 1: not linearizable; longest linearizable prefix 1/3 ops, leaving value 1; ' +
        'cannot place p2 write 2 ok [20,30] while p3 read 1 ok [40,50] is yet to see that value; ' +
        'last linearized: p1 write 1 ok [0,10]',
    );
  });

  test('a read of null after a completed write', () => {
    expect(checkRegister([write(1, 0, 10, 1), read(2, 11, 12, null)]).valid).toBe(false);
  });

  test('a read that goes back in time between two concurrent readers', () => {
    // the write is concurrent with both reads, but once a read saw 1 a later read cannot see null
    const r = checkRegister([write(1, 0, 100, 1), read(2, 10, 20, 1), read(3, 30, 40, null)]);
    expect(r.valid).toBe(false);
  });

  test('two acknowledged compare-and-sets from the same value', () => {
    const sequential = [write(1, 0, 10, 0), cas(2, 20, 30, 0, 1), cas(3, 40, 50, 0, 2)];
    const concurrent = [write(1, 0, 10, 0), cas(2, 20, 30, 0, 1), cas(3, 25, 35, 0, 2)];
    expect(checkRegister(sequential).valid).toBe(false);
    expect(checkRegister(concurrent).valid).toBe(false);
    // with a write in between, both can match
    expect(checkRegister([...concurrent, write(4, 15, 50, 0)]).valid).toBe(true);
  });

  test('a cas that matched a value the register never held', () => {
    expect(checkRegister([write(1, 0, 10, 1), cas(2, 20, 30, 5, 6)]).valid).toBe(false);
  });

  test('a failed write that was observed', () => {
    expect(checkRegister([write(1, 0, 10, 1, 1, 'fail'), read(2, 20, 30, 1)]).valid).toBe(false);
  });

  test('only the broken key is reported, in a short line', () => {
    const ops: R[] = [];
    for (let i = 0; i < 50; i++)
      ops.push(write(i % 5, i * 10, i * 10 + 15, i, 1), read(5 + (i % 3), i * 10, i * 10 + 20, i, 1));
    ops.push(write(1, 0, 10, 1, 3), write(2, 20, 30, 2, 3), read(3, 40, 50, 1, 3));
    const r = checkRegister(ops);
    expect(r.valid).toBe(false);
    expect(r.anomalies).toHaveLength(1);
    expect(r.anomalies[0]).toMatch(/^key 3: /);
    expect(r.anomalies[0]!.length).toBeLessThanOrEqual(400);
    expect(r.stats).toEqual(expect.objectContaining({ keys: 2, nonLinearizableKeys: 1 }));
  });

  test('a search over budget leaves the key undecided without failing the check', () => {
    const { history } = simulate(7, { processes: 8, ops: 400, keys: 1, infoRate: 0.2 });
    const r = checkRegister(history, { maxStates: 10 });
    expect(r.valid).toBe(true);
    expect(r.stats.undecided).toBe(1);
  });

  test('check() dispatches to the register checker', () => {
    const h = [write(1, 0, 10, 1), read(3, 40, 50, 2)];
    expect(check('register', h)).toEqual(checkRegister(h));
  });
});

describe('checkRegister: simulated registers', () => {
  test('random histories of a linearizable register pass, and fail with one impossible read', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const unique = seed % 2 === 0;
      const { history } = simulate(seed, { processes: 5, ops: 300, keys: 3, infoRate: 0.1, domain: unique ? 0 : 4 });
      const r = checkRegister(history);
      expect({ seed, anomalies: r.anomalies, undecided: r.stats.undecided }).toEqual({
        seed,
        anomalies: [],
        undecided: 0,
      });

      // a read of a value never written
      const reads = history.filter((o) => o.outcome === 'ok' && o.value.f === 'read');
      const victim = reads[Math.floor(reads.length / 2)]!;
      const key = victim.value.key;
      const garbage = history.map((o) => (o === victim ? { ...o, value: { f: 'read' as const, key, value: -1 } } : o));
      const bad = checkRegister(garbage);
      expect({ seed, valid: bad.valid }).toEqual({ seed, valid: false });
      expect(bad.anomalies).toHaveLength(1);
      expect(bad.anomalies[0]).toMatch(new RegExp(`^key ${key}: not linearizable; p${victim.process} read -1 ok`));

      // a stale read: the value of a write that another write followed, entirely before the read
      if (unique) {
        const stale = staleRead(history);
        expect(stale).toBeDefined();
        const r2 = checkRegister(stale!.history);
        expect({ seed, valid: r2.valid }).toEqual({ seed, valid: false });
        expect(r2.anomalies[0]).toMatch(
          new RegExp(`^key ${stale!.key}: not linearizable; longest linearizable prefix`),
        );
      }
    }
  });

  test('small random histories, consistent or not, get the same verdict as exhaustive search', () => {
    const random = seededRandom(99);
    const int = (n: number): number => Math.floor(random() * n);
    let invalid = 0;
    for (let n = 0; n < 3000; n++) {
      const clocks = [0, 0, 0];
      const history: R[] = [];
      for (let i = 0, count = 2 + int(5); i < count; i++) {
        const p = int(3);
        const invoke = (clocks[p] ?? 0) + int(4);
        const complete = invoke + int(6);
        clocks[p] = complete;
        const kind = int(3);
        const value: RegisterOp =
          kind === 0
            ? { f: 'read', key: 1, value: int(4) === 0 ? null : int(3) }
            : kind === 1
              ? { f: 'write', key: 1, value: int(3) }
              : { f: 'cas', key: 1, from: int(3), to: int(3) };
        const info = value.f !== 'read' && int(3) === 0;
        const recovered = info ? [true, false, undefined][int(3)] : undefined;
        history.push(at(p, invoke, complete, value, info ? 'info' : 'ok', recovered));
      }
      const expected = bruteForce(history);
      const r = checkRegister(history);
      if (!expected) invalid++;
      expect({ n, history, valid: r.valid }).toEqual({ n, history, valid: expected });
    }
    // the generator makes both kinds of history
    expect(invalid).toBeGreaterThan(300);
    expect(invalid).toBeLessThan(2700);
  });

  test('5,000 ops on one key from 8 processes', () => {
    const { history } = simulate(42, { processes: 8, ops: 6000, keys: 1, infoRate: 0.02 });
    const r = checkRegister(history);
    expect(r.valid).toBe(true);
    expect(r.stats).toEqual(expect.objectContaining({ keys: 1, undecided: 0 }));
    expect(r.stats.ops).toBeGreaterThan(4000);

    const stale = staleRead(history)!;
    const bad = checkRegister(stale.history);
    expect(bad.valid).toBe(false);
    expect(bad.stats.undecided).toBe(0);
  });
});

/**
 * The history with one read (from its second half) changed to return the value of an acknowledged write
 * that another acknowledged write of the same key followed, both completing before the read was invoked:
 * impossible when no value is written twice.
 */
function staleRead(history: readonly R[]): { history: R[]; key: number } | undefined {
  const writes = history.filter((o) => o.outcome === 'ok' && o.value.f === 'write');
  const reads = history.filter((o) => o.outcome === 'ok' && o.value.f === 'read');
  for (const victim of reads.slice(Math.floor(reads.length / 2))) {
    const key = victim.value.key;
    const before = (o: R, t: number): boolean => o.value.key === key && o.complete < t;
    const second = writes.filter((w) => before(w, victim.invoke)).at(-1);
    const first = second === undefined ? undefined : writes.filter((w) => before(w, second.invoke)).at(-1);
    const seen = victim.value.f === 'read' ? victim.value.value : undefined;
    if (first?.value.f !== 'write' || first.value.value === seen) continue;
    const value = first.value.value;
    return { key, history: history.map((o) => (o === victim ? { ...o, value: { f: 'read', key, value } } : o)) };
  }
  return undefined;
}

/**
 * Linearizability by enumeration, for a handful of ops on one key: some order of the acknowledged ops, the
 * committed info ops and any subset of the unresolved ones that respects real time and the register's rules.
 */
function bruteForce(history: readonly R[]): boolean {
  const ops = history.filter((o) => o.outcome === 'ok' || (o.outcome === 'info' && o.recovered !== false));
  const end = (o: R): number => (o.outcome === 'info' ? Infinity : o.complete);
  const optional = ops.filter((o) => o.outcome === 'info' && o.recovered === undefined);
  const runs = (order: readonly R[]): boolean => {
    let state: number | null = null;
    for (const o of order) {
      const v = o.value;
      if (v.f === 'read') {
        if ((v.value ?? null) !== state) return false;
      } else if (v.f === 'write') state = v.value;
      else if (state === v.from) state = v.to;
      else if (o.outcome === 'ok') return false;
    }
    return true;
  };
  const orders = (left: readonly R[], prefix: R[]): boolean => {
    if (left.length === 0) return runs(prefix);
    return left.some(
      (o, i) =>
        // o may go next only if no op still left completed before o was invoked
        left.every((x) => end(x) >= o.invoke) &&
        orders(
          left.filter((_, j) => j !== i),
          [...prefix, o],
        ),
    );
  };
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const dropped = new Set(optional.filter((_, i) => (mask & (1 << i)) !== 0));
    if (
      orders(
        ops.filter((o) => !dropped.has(o)),
        [],
      )
    )
      return true;
  }
  return false;
}

interface SimOptions {
  processes: number;
  ops: number;
  keys: number;
  /** Fraction of writes and cas that end `info`. */
  infoRate: number;
  /** Draw written values from 0..domain-1 (0: every written value is new). */
  domain?: number;
}

/**
 * A history of a linearizable register: each op takes effect at a random point within its interval (an info
 * op, if it takes effect, at any point after its invocation), and results follow from that order.
 */
function simulate(seed: number, o: SimOptions): { history: R[] } {
  const random = seededRandom(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const clocks = Array.from({ length: o.processes }, () => int(10));
  const planned: { op: R; at: number | undefined; plannedOk: boolean }[] = [];
  let fresh = 0;
  const value = (): number => (o.domain ? int(o.domain) : fresh++);
  for (let n = 0; n < o.ops; n++) {
    const p = int(o.processes);
    const invoke = (clocks[p] ?? 0) + int(5);
    const complete = invoke + 1 + int(20);
    clocks[p] = complete;
    const key = int(o.keys);
    const kind = random();
    const v: RegisterOp =
      kind < 0.4
        ? { f: 'read', key }
        : kind < 0.75
          ? { f: 'write', key, value: value() }
          : { f: 'cas', key, from: o.domain ? int(o.domain) : Math.max(0, fresh - 1 - int(3)), to: value() };
    const op: R = { process: p, invoke, complete, outcome: 'ok', value: v };
    const within = invoke + random() * (complete - invoke);
    if (v.f !== 'read' && random() < o.infoRate) {
      op.outcome = 'info';
      const fate = random();
      op.recovered = fate < 0.4 ? true : fate < 0.7 ? false : undefined;
      const happens = op.recovered ?? random() < 0.5;
      planned.push({ op, at: happens ? invoke + random() * 100 : undefined, plannedOk: false });
    } else {
      planned.push({ op, at: within, plannedOk: true });
    }
  }
  const state = new Map<number, number | null>();
  for (const pl of [...planned].sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity))) {
    if (pl.at === undefined) break;
    const v = pl.op.value;
    const current = state.get(v.key) ?? null;
    if (v.f === 'read') pl.op.value = { ...v, value: current };
    else if (v.f === 'write') state.set(v.key, v.value);
    else if (current === v.from) state.set(v.key, v.to);
    else if (pl.plannedOk) pl.op.outcome = 'fail';
  }
  return { history: planned.map((pl) => pl.op) };
}
