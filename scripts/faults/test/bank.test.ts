import { check, checkBank } from '../src/checkers';
import type { Workload } from '../src/checkers';
import type { BankOp, Op, Outcome } from '../src/history';

type B = Op<BankOp>;

const accounts = [0, 1, 2];
const opts = { accounts, total: 30 };

const transfer = (
  process: number,
  invoke: number,
  from: number,
  to: number,
  amount: number,
  outcome: Outcome = 'ok',
  recovered?: boolean,
): B => ({ process, invoke, complete: invoke + 5, outcome, value: { f: 'transfer', from, to, amount }, recovered });
const read = (process: number, invoke: number, balances: Record<string, number>, outcome: Outcome = 'ok'): B => ({
  process,
  invoke,
  complete: invoke + 5,
  outcome,
  value: outcome === 'ok' ? { f: 'read', balances } : { f: 'read' },
});

describe('checkBank', () => {
  test('transfers and reads that conserve the total', () => {
    const r = checkBank(
      [
        read(1, 0, { 0: 10, 1: 10, 2: 10 }),
        transfer(2, 1, 0, 1, 5),
        transfer(3, 2, 1, 2, 20, 'fail'),
        transfer(4, 3, 2, 0, 10, 'info', true),
        transfer(5, 3, 2, 1, 10, 'info', false),
        read(1, 4, { 0: 5, 1: 15, 2: 10 }),
        read(1, 4, {}, 'info'),
        read(1, 20, { 0: 15, 1: 15, 2: 0 }),
      ],
      opts,
    );
    expect(r).toEqual({
      valid: true,
      anomalies: [],
      stats: {
        reads: 3,
        transfersOk: 1,
        transfersFail: 1,
        transfersInfo: 2,
        unresolved: 0,
        badTotals: 0,
        badAccounts: 0,
        negative: 0,
      },
    });
  });

  test('a read whose balances do not sum to the total', () => {
    const r = checkBank([read(1, 0, { 0: 10, 1: 10, 2: 10 }), read(1, 10, { 0: 10, 1: 15, 2: 10 })], opts);
    expect(r.valid).toBe(false);
    expect(r.stats.badTotals).toBe(1);
    expect(r.anomalies).toEqual(['wrong total: p1 read [10,15] sums to 35, expected 30']);
  });

  test('a read missing an account, or with an unknown one', () => {
    const r = checkBank([read(1, 0, { 0: 10, 1: 20 }), read(2, 0, { 0: 10, 1: 10, 2: 5, 7: 5 })], opts);
    expect(r.valid).toBe(false);
    expect(r.stats.badAccounts).toBe(2);
    expect(r.stats.badTotals).toBe(0);
    expect(r.anomalies).toEqual([
      'bad accounts: p1 read [0,5] has missing account(s) 2',
      'bad accounts: p2 read [0,5] has unknown account(s) 7',
    ]);
  });

  test('a negative balance, even with the right total', () => {
    const r = checkBank([read(1, 0, { 0: -5, 1: 20, 2: 15 })], opts);
    expect(r.valid).toBe(false);
    expect(r.stats.negative).toBe(1);
    expect(r.anomalies).toEqual(['negative balance: p1 read [0,5] has 0=-5']);
  });

  test('no read at all', () => {
    const r = checkBank([transfer(1, 0, 0, 1, 5), read(2, 10, {}, 'fail')], opts);
    expect(r.valid).toBe(false);
    expect(r.anomalies).toEqual(['no final read: no read completed ok']);
  });

  test('unresolved info transfers make the result invalid', () => {
    const r = checkBank([transfer(1, 0, 0, 1, 5, 'info'), read(2, 10, { 0: 10, 1: 10, 2: 10 })], opts);
    expect(r.valid).toBe(false);
    expect(r.stats.unresolved).toBe(1);
    expect(r.anomalies).toEqual(['unresolved: 1 info transfers were never resolved']);
  });

  test('anomaly lines are capped per kind', () => {
    const reads = Array.from({ length: 25 }, (_, i) => read(1, i * 10, { 0: 0, 1: 0, 2: 0 }));
    const r = checkBank(reads, opts);
    expect(r.stats.badTotals).toBe(25);
    expect(r.anomalies).toHaveLength(21);
    expect(r.anomalies[20]).toBe('wrong total: 5 more not shown');
  });

  test('check() dispatches to the bank checker, which needs the accounts and total', () => {
    const h = [read(1, 0, { 0: 10, 1: 10, 2: 9 })];
    expect(check('bank', h, opts)).toEqual(checkBank(h, opts));
    const workload: Workload = 'bank';
    expect(() => check(workload, h)).toThrow(/accounts/);
  });
});
