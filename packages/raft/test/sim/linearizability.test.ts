import type { Operation } from '../../src/sim/linearizability';
import { checkLinearizable } from '../../src/sim/linearizability';

let id = 0;
const op = (o: Omit<Operation, 'id' | 'key'>): Operation => ({ id: ++id, key: 'k', ...o });

describe('linearizability checker', () => {
  test('accepts a sequential history', () => {
    expect(
      checkLinearizable([
        op({ client: 1, input: { op: 'put', value: 'a' }, output: null, call: 0, ret: 1 }),
        op({ client: 1, input: { op: 'get' }, output: 'a', call: 2, ret: 3 }),
      ]).ok,
    ).toBe(true);
  });

  test('rejects a stale read after a completed write', () => {
    const r = checkLinearizable([
      op({ client: 1, input: { op: 'put', value: 'a' }, output: null, call: 0, ret: 1 }),
      op({ client: 1, input: { op: 'put', value: 'b' }, output: null, call: 2, ret: 3 }),
      op({ client: 2, input: { op: 'get' }, output: 'a', call: 4, ret: 5 }),
    ]);
    expect(r.ok).toBe(false);
  });

  test('accepts either value for a read concurrent with a write', () => {
    for (const seen of ['a', 'b']) {
      expect(
        checkLinearizable([
          op({ client: 1, input: { op: 'put', value: 'a' }, output: null, call: 0, ret: 1 }),
          op({ client: 1, input: { op: 'put', value: 'b' }, output: null, call: 2, ret: 10 }),
          op({ client: 2, input: { op: 'get' }, output: seen, call: 3, ret: 5 }),
        ]).ok,
      ).toBe(true);
    }
  });

  test('an operation with an unknown outcome may or may not have happened', () => {
    const unknown = op({ client: 1, input: { op: 'put', value: 'b' }, output: undefined, call: 2, ret: Infinity });
    const base = op({ client: 1, input: { op: 'put', value: 'a' }, output: null, call: 0, ret: 1 });
    expect(
      checkLinearizable([base, unknown, op({ client: 2, input: { op: 'get' }, output: 'b', call: 5, ret: 6 })]).ok,
    ).toBe(true);
    expect(
      checkLinearizable([base, unknown, op({ client: 2, input: { op: 'get' }, output: 'a', call: 5, ret: 6 })]).ok,
    ).toBe(true);
    // But it cannot be undone once observed.
    expect(
      checkLinearizable([
        base,
        unknown,
        op({ client: 2, input: { op: 'get' }, output: 'b', call: 5, ret: 6 }),
        op({ client: 2, input: { op: 'get' }, output: 'a', call: 7, ret: 8 }),
      ]).ok,
    ).toBe(false);
  });

  test('checks compare-and-set results', () => {
    expect(
      checkLinearizable([
        op({ client: 1, input: { op: 'put', value: 'a' }, output: null, call: 0, ret: 1 }),
        op({ client: 2, input: { op: 'cas', expected: 'a', value: 'c' }, output: true, call: 2, ret: 3 }),
        op({ client: 3, input: { op: 'cas', expected: 'a', value: 'd' }, output: true, call: 4, ret: 5 }),
      ]).ok,
    ).toBe(false);
  });
});
