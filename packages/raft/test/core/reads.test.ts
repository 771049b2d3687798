import type { HeartbeatMessage } from '../../src';
import { Cores } from '../helpers/cores';

// Thesis §6.4 (ReadIndex), with leader-generated, increasing read sequence numbers.

const ctx = (n: number): Uint8Array => Uint8Array.of(n);

describe('ReadIndex', () => {
  test('the leader answers with its commit index once a quorum acknowledges a heartbeat sent after the request', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'x');
    c.deliverAll();
    const n1 = c.node(1).core;
    n1.readIndex(ctx(7));
    const rd = n1.ready();
    expect(rd.readStates).toEqual([]);
    const hbs = rd.messages.filter((m): m is HeartbeatMessage => m.type === 'Heartbeat');
    expect(hbs).toHaveLength(2);
    const seq = hbs[0]?.readSeq ?? 0;
    expect(seq).toBeGreaterThan(0);
    n1.step({ type: 'HeartbeatResp', from: 2, to: 1, term: n1.status().term, readSeq: seq });
    expect(n1.ready().readStates).toEqual([{ index: n1.status().commit, ctx: ctx(7) }]);
  });

  test('an acknowledgement of an earlier heartbeat does not confirm a later read', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    const n1 = c.node(1).core;
    const term = n1.status().term;
    n1.readIndex(ctx(1));
    const first = n1.ready().messages.find((m): m is HeartbeatMessage => m.type === 'Heartbeat');
    n1.readIndex(ctx(2));
    n1.ready();
    n1.step({ type: 'HeartbeatResp', from: 2, to: 1, term, readSeq: first?.readSeq ?? 0 });
    expect(n1.ready().readStates.map((r) => r.ctx[0])).toEqual([1]);
  });

  test('reads wait until the new leader has committed an entry of its term', () => {
    const c = new Cores([1, 2, 3]);
    const n1 = c.node(1).core;
    n1.campaign();
    c.deliverAll((m) => m.type !== 'App');
    expect(n1.status().role).toBe('leader');
    n1.readIndex(ctx(3));
    const early = n1.ready();
    expect(early.messages.filter((m) => m.type === 'Heartbeat')).toHaveLength(0);
    expect(early.readStates).toEqual([]);
    c.settle();
    // Once the no-op commits, the read is served at an index that includes it.
    c.tick(1);
    c.deliverAll();
    const st = n1.status();
    expect(c.node(1).log.term(st.commit)).toBe(st.term);
    expect(c.node(1).reads).toEqual([{ index: st.commit, ctx: ctx(3) }]);
  });

  test('a follower forwards a read to the leader and gets the leader commit index back', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'x');
    c.deliverAll();
    const n2 = c.node(2).core;
    n2.readIndex(ctx(9));
    const fwd = n2.ready().messages;
    expect(fwd).toEqual([expect.objectContaining({ type: 'ReadIndex', to: 1 })]);
    c.queue.push(...fwd);
    const seen = c.deliverAll();
    const resp = seen.find((m) => m.type === 'ReadIndexResp');
    expect(resp).toEqual(expect.objectContaining({ to: 2, index: c.node(1).core.status().commit, reject: false }));
  });
});
