import { ConfChangeType } from '../../src';
import { Cores } from '../helpers/cores';

// Thesis chapter 4 (single-server membership changes) and §3.10 (leadership transfer), in our own words.

describe('membership changes', () => {
  test('a new node joins as a learner: it receives the log but does not vote until promoted', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'before');
    c.deliverAll();
    c.addEmpty(4);
    expect('index' in c.node(1).core.proposeConfChange({ type: ConfChangeType.AddLearner, node: 4 })).toBe(true);
    c.deliverAll();
    c.tick(1);
    c.deliverAll();
    expect(c.node(1).core.status().conf).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(c.appliedTexts(4)).toEqual(['before']);
    expect(c.node(4).core.status().conf.learners).toContain(4);
    // A learner never campaigns.
    c.tick(4, 100);
    expect(c.node(4).core.status().role).toBe('follower');
    expect('index' in c.node(1).core.proposeConfChange({ type: ConfChangeType.AddVoter, node: 4 })).toBe(true);
    c.deliverAll();
    c.tick(1);
    c.deliverAll();
    expect(c.node(4).core.status().conf.voters).toEqual([1, 2, 3, 4]);
  });

  test('a membership change waits until the leader has committed an entry of its own term', () => {
    const c = new Cores([1, 2, 3]);
    const n1 = c.node(1).core;
    n1.campaign();
    // Deliver the election but not the no-op's replication.
    c.deliverAll((m) => m.type !== 'App');
    expect(n1.status().role).toBe('leader');
    expect(n1.proposeConfChange({ type: ConfChangeType.RemoveNode, node: 3 })).toEqual({ reason: 'ConfChangePending' });
    c.tick(1);
    c.deliverAll();
    expect('index' in n1.proposeConfChange({ type: ConfChangeType.RemoveNode, node: 3 })).toBe(true);
  });

  test('only one membership change may be in flight', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    const n1 = c.node(1).core;
    expect('index' in n1.proposeConfChange({ type: ConfChangeType.AddLearner, node: 4 })).toBe(true);
    expect(n1.proposeConfChange({ type: ConfChangeType.AddLearner, node: 5 })).toEqual({ reason: 'ConfChangePending' });
  });

  test('an invalid change is refused before it is proposed', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    const r = c.node(1).core.proposeConfChange({ type: ConfChangeType.RemoveNode, node: 9 });
    expect(r).toEqual(expect.objectContaining({ reason: 'ConfChangeInvalid' }));
  });

  test('a leader that removes itself steps down once the change applies, and the rest elect a new leader', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    c.node(1).core.proposeConfChange({ type: ConfChangeType.RemoveNode, node: 1 });
    c.deliverAll();
    c.tick(1);
    c.deliverAll();
    expect(c.node(1).core.status().role).toBe('follower');
    expect(c.node(2).core.status().conf.voters).toEqual([2, 3]);
    for (let i = 0; i < 30; i++) {
      c.tick(2);
      c.tick(3);
      c.deliverAll();
    }
    expect(c.leaders().filter((id) => id !== 1)).toHaveLength(1);
  });
});

describe('leadership transfer', () => {
  test('the target is sent TimeoutNow once caught up and wins the next term; proposals are refused meanwhile', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    const term = c.node(1).core.status().term;
    c.node(1).core.transferLeadership(2);
    expect(c.propose(1, 'during')).toEqual({ reason: 'Transferring', leader: 1 });
    const seen = c.deliverAll();
    expect(seen.some((m) => m.type === 'TimeoutNow' && m.to === 2 && m.term === term)).toBe(true);
    expect(c.leaders()).toEqual([2]);
    expect(c.node(2).core.status().term).toBe(term + 1);
  });

  test('a TimeoutNow from an older term is ignored', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    const n2 = c.node(2).core;
    const term = n2.status().term;
    n2.step({ type: 'TimeoutNow', from: 1, to: 2, term: term - 1 });
    expect(n2.status().role).toBe('follower');
    expect(n2.status().term).toBe(term);
  });

  test('a transfer that cannot finish is abandoned after an election timeout', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    c.isolate(2);
    c.node(1).core.transferLeadership(2);
    expect(c.node(1).core.status().leadTransferee).toBe(2);
    for (let i = 0; i < 12; i++) {
      c.tick(1);
      c.deliverAll();
    }
    expect(c.node(1).core.status().leadTransferee).toBe(0);
    expect('index' in c.propose(1, 'after')).toBe(true);
  });
});
