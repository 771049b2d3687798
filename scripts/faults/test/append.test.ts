import { check, checkAppend } from '../src/checkers';
import { seededRandom } from '@walraft/raft';
import type { AppendMop, AppendOp, Op, Outcome } from '../src/history';

type T = Op<AppendOp>;

const txn = (
  process: number,
  invoke: number,
  complete: number,
  mops: AppendMop[],
  outcome: Outcome = 'ok',
  recovered?: boolean,
): T => ({ process, invoke, complete, outcome, value: { f: 'txn', mops }, recovered });
const ap = (key: number, value: number): AppendMop => ['append', key, value];
const r = (key: number, list: number[] | null): AppendMop => ['r', key, list];

const X = 1;
const Y = 2;

/** The anomaly kinds reported (the text before the first colon of each line). */
const kinds = (res: { anomalies: string[] }): string[] => res.anomalies.map((l) => l.slice(0, l.indexOf(':')));

describe('checkAppend: valid histories', () => {
  test('a serial history', () => {
    const res = checkAppend([
      txn(1, 0, 10, [ap(X, 1), ap(Y, 1), r(X, [1])]),
      txn(2, 20, 30, [r(X, [1]), ap(X, 2), r(X, [1, 2])]),
      txn(1, 40, 50, [r(X, [1, 2]), r(Y, [1]), r(3, null)]),
    ]);
    expect(res.anomalies).toEqual([]);
    expect(res.valid).toBe(true);
    expect(res.stats).toEqual(
      expect.objectContaining({ txns: 3, ok: 3, info: 0, unresolved: 0, readsChecked: 6, cycles: 0, keys: 3 }),
    );
  });

  test('concurrent transactions in an order real time does not force', () => {
    // T1 is serialized before T0, though it started after
    const h = [txn(1, 0, 10, [ap(X, 1)]), txn(2, 5, 15, [r(X, null)]), txn(3, 20, 30, [r(X, [1])])];
    expect(checkAppend(h).valid).toBe(true);
    expect(checkAppend(h, { realtime: true }).valid).toBe(true);
  });

  test('info transactions: committed ones may be seen, the others never; their reads are unknown', () => {
    const res = checkAppend([
      txn(1, 0, 10, [ap(X, 1), r(Y, null)], 'info', true),
      txn(2, 0, 10, [ap(X, 2), r(Y, null)], 'info', false),
      txn(3, 0, 10, [ap(X, 3)], 'info'),
      txn(4, 0, 10, [ap(Y, 1)], 'info'),
      txn(5, 0, 10, [ap(X, 4)], 'fail'),
      txn(6, 20, 30, [r(X, [1, 3]), r(Y, [])]),
    ]);
    expect(res.anomalies).toEqual([]);
    expect(res.stats).toEqual(expect.objectContaining({ txns: 6, ok: 1, info: 4, fail: 1, unresolved: 2 }));
  });

  test('random serializable histories pass, and fail once a read is reordered', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const history = simulate(seed);
      for (const realtime of [false, true]) {
        expect({ seed, realtime, anomalies: checkAppend(history, { realtime }).anomalies }).toEqual({
          seed,
          realtime,
          anomalies: [],
        });
      }
      const corrupt = reorderRead(history);
      expect(corrupt).toBeDefined();
      const res = checkAppend(corrupt!);
      expect({ seed, valid: res.valid }).toEqual({ seed, valid: false });
      expect(kinds(res)).toContain('incompatibleOrder');
    }
  });
});

describe('checkAppend: anomalies', () => {
  test('a duplicate in a read', () => {
    const res = checkAppend([txn(1, 0, 10, [ap(X, 1)]), txn(2, 20, 30, [r(X, [1, 1])])]);
    expect(res.anomalies).toEqual(['duplicate: T1(p2 ok [20,30]) read key 1 as [1 1]: 1 more than once']);
    expect(res.stats.duplicate).toBe(1);
  });

  test('garbage: a value nobody appended', () => {
    const res = checkAppend([txn(1, 0, 10, [ap(X, 1)]), txn(2, 20, 30, [r(X, [1, 9])])]);
    expect(res.anomalies).toEqual(['garbage: T1(p2 ok [20,30]) read key 1 as [1 9]: 9 never appended']);
  });

  test('G1a: a value appended by a failed or never-committed transaction', () => {
    const res = checkAppend([
      txn(1, 0, 10, [ap(X, 1)], 'fail'),
      txn(2, 0, 10, [ap(X, 2)], 'info', false),
      txn(3, 20, 30, [r(X, [1, 2])]),
    ]);
    expect(kinds(res)).toEqual(['G1a', 'G1a']);
    expect(res.anomalies[0]).toBe(
      'G1a: T2(p3 ok [20,30]) read key 1 as [1 2], including [1] from aborted T0(p1 fail [0,10])',
    );
    expect(res.stats.G1a).toBe(2);
  });

  test('G1b: an intermediate value of another transaction', () => {
    // the reader is concurrent with the writer: otherwise 2 would also be lost
    const h = [txn(1, 0, 10, [ap(X, 1), ap(X, 2)]), txn(2, 5, 30, [r(X, [1])])];
    const res = checkAppend(h);
    expect(kinds(res)).toEqual(['G1b']);
    expect(res.anomalies[0]).toBe(
      "G1b: T1(p2 ok [5,30]) read key 1 as [1]: only part of T0(p1 ok [0,10])'s appends [1 2]",
    );
    // a transaction's appends interleaved with another's (which also orders each before the other)
    const interleaved = checkAppend([...h.slice(0, 1), txn(3, 0, 10, [ap(X, 3)]), txn(2, 20, 30, [r(X, [1, 3, 2])])]);
    expect(kinds(interleaved)).toEqual(['G1b', 'G0']);
  });

  test('incompatible orders: neither read a prefix of the other', () => {
    const res = checkAppend([
      txn(1, 0, 10, [ap(X, 1)]),
      txn(2, 0, 10, [ap(X, 2)]),
      txn(3, 20, 30, [r(X, [1, 2])]),
      txn(4, 20, 30, [r(X, [2, 1])]),
    ]);
    expect(kinds(res)).toEqual(['incompatibleOrder']);
    expect(res.anomalies[0]).toBe(
      'incompatibleOrder: key 1: T3(p4 ok [20,30]) read [2 1] but T2(p3 ok [20,30]) read [1 2]',
    );
  });

  test('lost: acknowledged, then in no read, though one started after it completed', () => {
    const res = checkAppend([txn(1, 0, 10, [ap(X, 1)]), txn(1, 11, 12, [ap(X, 2)]), txn(2, 20, 30, [r(X, [2])])]);
    expect(kinds(res)).toEqual(['lost']);
    expect(res.anomalies[0]).toBe(
      "lost: value 1 appended to key 1 by T0(p1 ok [0,10]) is missing from T2(p2 ok [20,30])'s read [2]",
    );
    // a read concurrent with the append may miss it
    expect(checkAppend([txn(1, 0, 10, [ap(X, 1)]), txn(2, 5, 30, [r(X, null)])]).valid).toBe(true);
  });

  test('internal: a transaction that does not see its own reads and appends', () => {
    const res = checkAppend([
      txn(1, 0, 10, [ap(X, 1), r(X, null)]),
      txn(1, 20, 30, [r(Y, null), ap(Y, 1), r(Y, [5, 1])]),
      txn(1, 40, 50, [r(3, [1]), ap(3, 1)]),
    ]);
    expect(kinds(res)).toEqual(['internal', 'internal', 'internal', 'garbage']);
    expect(res.anomalies.slice(0, 3)).toEqual([
      'internal: T0(p1 ok [0,10]) read key 1 as [] after itself appending [1]',
      'internal: T1(p1 ok [20,30]) read key 2 as [5 1] after its own view [1]',
      'internal: T2(p1 ok [40,50]) read key 3 as [1], including its own later append(s) 1',
    ]);
  });

  test('G0: write cycle', () => {
    const res = checkAppend([
      txn(1, 0, 10, [ap(X, 1), ap(Y, 2)]),
      txn(2, 0, 10, [ap(X, 2), ap(Y, 1)]),
      txn(3, 20, 30, [r(X, [1, 2]), r(Y, [1, 2])]),
    ]);
    expect(kinds(res)).toEqual(['G0']);
    expect(res.anomalies[0]).toBe('G0: a cycle among 2 txns, e.g. T0(p1 ok [0,10]) -ww 1:2-> T1 -ww 2:2-> T0');
    expect(res.stats).toEqual(expect.objectContaining({ G0: 1, cycles: 1 }));
  });

  test('G1c: circular information flow', () => {
    const res = checkAppend([txn(1, 0, 10, [ap(X, 1), r(Y, [1])]), txn(2, 0, 10, [ap(Y, 1), r(X, [1])])]);
    expect(kinds(res)).toEqual(['G1c']);
    expect(res.anomalies[0]).toBe('G1c: a cycle among 2 txns, e.g. T0(p1 ok [0,10]) -wr 1:1-> T1 -wr 2:1-> T0');
  });

  test('G-single: read skew', () => {
    const res = checkAppend([
      txn(1, 0, 10, [r(X, [1]), r(Y, null)]),
      txn(2, 0, 10, [ap(X, 1), ap(Y, 1)]),
      txn(3, 20, 30, [r(Y, [1])]),
    ]);
    expect(kinds(res)).toEqual(['G-single']);
    expect(res.anomalies[0]).toBe('G-single: a cycle among 2 txns, e.g. T0(p1 ok [0,10]) -rw 2:1-> T1 -wr 1:1-> T0');
  });

  test('G2: write skew', () => {
    const res = checkAppend([
      txn(1, 0, 10, [r(X, null), ap(Y, 1)]),
      txn(2, 0, 10, [r(Y, null), ap(X, 1)]),
      txn(3, 20, 30, [r(X, [1]), r(Y, [1])]),
    ]);
    expect(kinds(res)).toEqual(['G2']);
    expect(res.anomalies[0]).toBe('G2: a cycle among 2 txns, e.g. T0(p1 ok [0,10]) -rw 1:1-> T1 -rw 2:1-> T0');
  });

  test('each kind of anomaly a component contains is reported, and each component', () => {
    const res = checkAppend([
      // G0 and G-single in one component
      txn(1, 0, 10, [ap(X, 1), ap(Y, 2), r(3, null)]),
      txn(2, 0, 10, [ap(X, 2), ap(Y, 1), ap(3, 1)]),
      txn(3, 20, 30, [r(X, [1, 2]), r(Y, [1, 2]), r(3, [1])]),
      // write skew elsewhere
      txn(1, 40, 50, [r(4, null), ap(5, 1)]),
      txn(2, 40, 50, [r(5, null), ap(4, 1)]),
      txn(3, 60, 70, [r(4, [1]), r(5, [1])]),
    ]);
    expect(kinds(res).sort()).toEqual(['G-single', 'G0', 'G2']);
    expect(res.stats.cycles).toBe(2);
  });

  test('real-time edges, when asked for, catch a stale read', () => {
    const h = [txn(1, 0, 10, [ap(X, 1)]), txn(2, 12, 15, [r(X, null)]), txn(3, 20, 30, [r(X, [1])])];
    expect(checkAppend(h).valid).toBe(true);
    const res = checkAppend(h, { realtime: true });
    expect(kinds(res)).toEqual(['G-single-realtime']);
    expect(res.anomalies[0]).toBe(
      'G-single-realtime: a cycle among 2 txns, e.g. T1(p2 ok [12,15]) -rw 1:1-> T0 -rt-> T1',
    );
  });

  test('a value appended twice to a key is a malformed history', () => {
    const res = checkAppend([txn(1, 0, 10, [ap(X, 1)]), txn(2, 0, 10, [ap(X, 1)]), txn(3, 20, 30, [r(X, [1])])]);
    expect(kinds(res)).toEqual(['malformed']);
  });

  test('check() dispatches to the append checker', () => {
    const h = [txn(1, 0, 10, [ap(X, 1)]), txn(2, 12, 15, [r(X, null)]), txn(3, 20, 30, [r(X, [1])])];
    expect(check('append', h, { realtime: true })).toEqual(checkAppend(h, { realtime: true }));
  });
});

/**
 * A serializable (indeed strictly serializable) history: every transaction that takes effect does so
 * atomically at a random point within its interval (an info one, at any point after its invocation).
 */
function simulate(seed: number): T[] {
  const random = seededRandom(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const clocks = [0, 0, 0, 0, 0, 0];
  const fresh = new Map<number, number>();
  const planned: { op: T; at: number | undefined }[] = [];
  for (let n = 0; n < 300; n++) {
    const p = int(clocks.length);
    const invoke = (clocks[p] ?? 0) + int(5);
    const complete = invoke + 1 + int(20);
    clocks[p] = complete;
    const mops: AppendMop[] = [];
    for (let i = 0, count = 1 + int(4); i < count; i++) {
      const key = int(4);
      if (random() < 0.5) {
        const value = (fresh.get(key) ?? 0) + 1;
        fresh.set(key, value);
        mops.push(['append', key, value]);
      } else mops.push(['r', key, null]);
    }
    const op = txn(p, invoke, complete, mops);
    const fate = random();
    if (fate < 0.05) {
      op.outcome = 'fail';
      planned.push({ op, at: undefined });
    } else if (fate < 0.15) {
      op.outcome = 'info';
      op.recovered = [true, false, undefined][int(3)];
      const happens = op.recovered ?? random() < 0.5;
      planned.push({ op, at: happens ? invoke + random() * 100 : undefined });
    } else {
      planned.push({ op, at: invoke + random() * (complete - invoke) });
    }
  }
  const lists = new Map<number, number[]>();
  for (const { op, at } of [...planned].sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity))) {
    if (at === undefined) break;
    op.value.mops = op.value.mops.map((m): AppendMop => {
      const list = lists.get(m[1]) ?? [];
      lists.set(m[1], list);
      if (m[0] === 'append') {
        list.push(m[2]);
        return m;
      }
      // an info transaction's reads are unknown
      return ['r', m[1], op.outcome === 'ok' ? (list.length === 0 ? null : [...list]) : null];
    });
  }
  return planned.map((pl) => pl.op);
}

/** The history with the first two values of one read swapped, when another read of the key has two values. */
function reorderRead(history: readonly T[]): T[] | undefined {
  const reads = history.flatMap((op) =>
    op.outcome === 'ok'
      ? op.value.mops.flatMap((m, i) => (m[0] === 'r' && (m[2]?.length ?? 0) >= 2 ? [{ op, i, m }] : []))
      : [],
  );
  for (const a of reads) {
    if (!reads.some((b) => b !== a && b.m[1] === a.m[1])) continue;
    const [first, second, ...rest] = a.m[2] ?? [];
    if (first === undefined || second === undefined) continue;
    const mops = a.op.value.mops.map((m, i): AppendMop => (i === a.i ? ['r', m[1], [second, first, ...rest]] : m));
    return history.map((op) => (op === a.op ? { ...op, value: { f: 'txn', mops } } : op));
  }
  return undefined;
}
