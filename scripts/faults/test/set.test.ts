import { check, checkSet } from '../src/checkers';
import type { Op, Outcome, SetOp } from '../src/history';

type S = Op<SetOp>;

const add = (
  process: number,
  invoke: number,
  complete: number,
  element: number,
  outcome: Outcome = 'ok',
  recovered?: boolean,
): S => ({
  process,
  invoke,
  complete,
  outcome,
  value: { f: 'add', element },
  recovered,
});
const read = (process: number, invoke: number, complete: number, elements: number[], outcome: Outcome = 'ok'): S => ({
  process,
  invoke,
  complete,
  outcome,
  value: outcome === 'ok' ? { f: 'read', elements } : { f: 'read' },
});

describe('checkSet: valid histories', () => {
  test('concurrent adds and reads, info adds resolved both ways, and a final read', () => {
    const r = checkSet([
      add(1, 0, 10, 1),
      add(2, 5, 15, 2),
      read(3, 8, 12, [1]), // concurrent with both adds
      add(1, 20, 30, 3, 'fail'),
      add(2, 20, 25, 4, 'info', true),
      add(4, 21, 26, 5, 'info', false),
      read(3, 22, 24, [1, 2]), // 4 may not have taken effect yet
      read(3, 40, 45, [4, 2, 1]),
      add(1, 41, 44, 6),
      read(5, 100, 110, [1, 2, 4, 6]),
    ]);
    expect(r.anomalies).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.stats).toEqual({
      attempted: 6,
      acknowledged: 3,
      failed: 1,
      info: 2,
      recoveredCommitted: 1,
      recoveredNot: 1,
      unresolved: 0,
      reads: 4,
      lost: 0,
      phantom: 0,
      aborted: 0,
      finalSize: 4,
    });
  });

  test('an acknowledged add still running when the final read started may be missing from it', () => {
    expect(checkSet([add(1, 0, 20, 1), read(2, 10, 15, [])]).valid).toBe(true);
    expect(checkSet([add(1, 0, 20, 1), read(2, 20, 25, [])]).valid).toBe(true);
  });

  test('failed and info reads are ignored', () => {
    const r = checkSet([add(1, 0, 1, 1), read(2, 5, 6, [], 'fail'), read(2, 7, 8, [], 'info'), read(2, 9, 10, [1])]);
    expect(r.valid).toBe(true);
    expect(r.stats.reads).toBe(1);
  });

  test('a read concurrent with an earlier read may miss what that read saw', () => {
    expect(checkSet([add(1, 0, 1, 1), read(2, 10, 20, [1]), read(3, 15, 25, []), read(3, 30, 31, [1])]).valid).toBe(
      true,
    );
  });
});

describe('checkSet: anomalies', () => {
  test('an acknowledged add missing from the final read is lost', () => {
    const r = checkSet([add(1, 0, 10, 1), add(1, 11, 12, 2), read(2, 20, 30, [2])]);
    expect(r.valid).toBe(false);
    expect(r.stats.lost).toBe(1);
    expect(r.anomalies).toEqual([
      'lost: element 1 added by p1 add ok [0,10] is missing from the final read p2 read ok [20,30]',
    ]);
  });

  test('a committed info add missing from the final read is lost', () => {
    const r = checkSet([add(1, 0, 10, 1, 'info', true), read(2, 20, 30, [])]);
    expect(r.valid).toBe(false);
    expect(r.stats.lost).toBe(1);
  });

  test('the final read is the one invoked last, wherever it sits in the history', () => {
    const r = checkSet([add(1, 0, 10, 1), read(2, 50, 60, [1]), read(3, 20, 30, [1])]);
    expect(r.valid).toBe(true);
    expect(checkSet([add(1, 0, 10, 1), read(2, 50, 60, []), read(3, 20, 30, [1])]).stats.lost).toBe(1);
  });

  test('an element seen and then gone from a later read is lost', () => {
    const r = checkSet([add(1, 0, 10, 1), read(2, 5, 12, [1]), read(3, 13, 20, []), read(2, 30, 40, [1])]);
    expect(r.valid).toBe(false);
    expect(r.stats.lost).toBe(1);
    expect(r.anomalies[0]).toContain('seen by p2 read ok [5,12] is missing from the later read p3 read ok [13,20]');
  });

  test('an element no add attempted is a phantom', () => {
    const r = checkSet([add(1, 0, 10, 1), read(2, 20, 30, [1, 99])]);
    expect(r.valid).toBe(false);
    expect(r.stats.phantom).toBe(1);
    expect(r.anomalies).toEqual(['phantom: element 99 read by p2 read ok [20,30] was never added']);
  });

  test('an element whose add failed, or never committed, is an aborted add observed', () => {
    const r = checkSet([add(1, 0, 10, 1, 'fail'), add(1, 11, 12, 2, 'info', false), read(2, 20, 30, [1, 2])]);
    expect(r.valid).toBe(false);
    expect(r.stats.aborted).toBe(2);
    expect(r.anomalies).toEqual([
      'aborted add observed: element 1 read by p2 read ok [20,30], but its add p1 add fail [0,10] had no effect',
      'aborted add observed: element 2 read by p2 read ok [20,30], but its add p1 add info/not-committed [11,12?] had no effect',
    ]);
  });

  test('no read at all', () => {
    const r = checkSet([add(1, 0, 10, 1)]);
    expect(r.valid).toBe(false);
    expect(r.anomalies).toEqual(['no final read: no read completed ok']);
  });

  test('unresolved info adds make the result invalid, whether or not they were read', () => {
    const r = checkSet([add(1, 0, 10, 1, 'info'), add(1, 11, 12, 2, 'info'), read(2, 20, 30, [1])]);
    expect(r.valid).toBe(false);
    expect(r.stats.unresolved).toBe(2);
    expect(r.anomalies).toEqual(['unresolved: 2 info adds were never resolved']);
  });

  test('anomaly lines are capped per kind', () => {
    const adds = Array.from({ length: 30 }, (_, i) => add(1, i, i + 0.5, i));
    const r = checkSet([...adds, read(2, 100, 110, [])], { maxLinesPerKind: 5 });
    expect(r.stats.lost).toBe(30);
    expect(r.anomalies).toHaveLength(6);
    expect(r.anomalies[5]).toBe('lost: 25 more not shown');
  });

  test('check() dispatches to the set checker', () => {
    const h = [add(1, 0, 10, 1), read(2, 20, 30, [])];
    expect(check('set', h)).toEqual(checkSet(h));
  });
});
