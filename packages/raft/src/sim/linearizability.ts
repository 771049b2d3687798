/**
 * A linearizability checker for a per-key register history: the Wing–Gong algorithm with Lowe's
 * memoisation (as in Porcupine's checkSingle), run separately for every key.
 */

export type RegisterInput =
  | { readonly op: 'put'; readonly value: string }
  | { readonly op: 'cas'; readonly expected: string | null; readonly value: string }
  | { readonly op: 'get' };

export interface Operation {
  readonly id: number;
  readonly client: number;
  readonly key: string;
  readonly input: RegisterInput;
  /** undefined = outcome unknown (the operation may or may not have taken effect). */
  readonly output: string | null | boolean | undefined;
  readonly call: number;
  /** Infinity for operations whose outcome is unknown. */
  readonly ret: number;
}

type State = string | null;

function step(state: State, input: RegisterInput, output: Operation['output']): [boolean, State] {
  switch (input.op) {
    case 'put':
      return [true, input.value];
    case 'cas':
      if (output === undefined) return state === input.expected ? [true, input.value] : [true, state];
      if (state === input.expected) return [output === true, input.value];
      return [output === false, state];
    case 'get':
      return [output === undefined || output === state, state];
  }
}

interface Node {
  op: Operation | undefined;
  isCall: boolean;
  match: Node | undefined;
  prev: Node | undefined;
  next: Node | undefined;
}

export type CheckResult = { ok: true } | { ok: false; key: string; detail: string } | { ok: 'unknown'; key: string };

/** Checks each key's history; `budget` bounds the search steps per key (exceeding it gives 'unknown'). */
export function checkLinearizable(ops: readonly Operation[], budget = 2_000_000): CheckResult {
  const byKey = new Map<string, Operation[]>();
  for (const op of ops) {
    const list = byKey.get(op.key) ?? [];
    list.push(op);
    byKey.set(op.key, list);
  }
  for (const [key, list] of [...byKey].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const r = checkKey(list, budget);
    if (r === 'unknown') return { ok: 'unknown', key };
    if (r !== true) return { ok: false, key, detail: r.failure };
  }
  return { ok: true };
}

/** true when linearizable, 'unknown' when out of budget, otherwise a description of the failure. */
function checkKey(ops: readonly Operation[], budget: number): true | { readonly failure: string } | 'unknown' {
  const n = ops.length;
  const events: { time: number; isCall: boolean; idx: number }[] = [];
  ops.forEach((op, idx) => {
    events.push({ time: op.call, isCall: true, idx });
    events.push({ time: op.ret, isCall: false, idx });
  });
  // Calls before returns at equal times: intervals are closed.
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.idx - b.idx : a.isCall ? -1 : 1));
  const head: Node = { op: undefined, isCall: false, match: undefined, prev: undefined, next: undefined };
  let tail = head;
  const callNodes: Node[] = new Array<Node>(n);
  const retNodes: Node[] = new Array<Node>(n);
  for (const ev of events) {
    const node: Node = { op: ops[ev.idx], isCall: ev.isCall, match: undefined, prev: tail, next: undefined };
    tail.next = node;
    tail = node;
    if (ev.isCall) callNodes[ev.idx] = node;
    else retNodes[ev.idx] = node;
  }
  for (let i = 0; i < n; i++) {
    const c = callNodes[i];
    const r = retNodes[i];
    if (c && r) c.match = r;
  }
  const indexOf = new Map<Operation, number>();
  ops.forEach((op, i) => indexOf.set(op, i));

  const words = Math.ceil(n / 32) || 1;
  const linearized = new Uint32Array(words);
  const cache = new Map<string, true>();
  const stack: { node: Node; state: State }[] = [];
  let state: State = null;
  let entry = head.next;
  let steps = 0;
  let longest = 0;

  const lift = (c: Node): void => {
    unlink(c);
    if (c.match) unlink(c.match);
  };
  const unlift = (c: Node): void => {
    if (c.match) relink(c.match);
    relink(c);
  };

  while (head.next) {
    if (++steps > budget) return 'unknown';
    if (!entry) return { failure: 'internal error: ran off the list' };
    if (entry.isCall) {
      const op = entry.op as Operation;
      const [ok, next] = step(state, op.input, op.output);
      if (ok) {
        const i = indexOf.get(op) ?? 0;
        linearized[i >> 5] = (linearized[i >> 5] ?? 0) | (1 << (i & 31));
        const key = `${Array.from(linearized).join(',')}|${next === null ? '\u0000' : next}`;
        if (!cache.has(key)) {
          cache.set(key, true);
          stack.push({ node: entry, state });
          longest = Math.max(longest, stack.length);
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[i >> 5] = (linearized[i >> 5] ?? 0) & ~(1 << (i & 31));
      }
      entry = entry.next;
    } else {
      const top = stack.pop();
      if (!top) {
        const op = entry.op as Operation;
        return {
          failure: `no linearization: operation ${op.id} (client ${op.client}, ${JSON.stringify(op.input)} → ${JSON.stringify(op.output)}, [${op.call}, ${op.ret}]) cannot be placed; longest prefix ${longest}/${n}`,
        };
      }
      state = top.state;
      const op = top.node.op as Operation;
      const i = indexOf.get(op) ?? 0;
      linearized[i >> 5] = (linearized[i >> 5] ?? 0) & ~(1 << (i & 31));
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return true;
}

function unlink(n: Node): void {
  if (n.prev) n.prev.next = n.next;
  if (n.next) n.next.prev = n.prev;
}

function relink(n: Node): void {
  if (n.prev) n.prev.next = n;
  if (n.next) n.next.prev = n;
}
