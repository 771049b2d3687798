import type { VoteMessage } from '../../src';
import { RaftCore, defaultRaftConfig, seededRandom } from '../../src';
import { Cores, MemoryLog } from '../helpers/cores';

// Raft paper §5.2 (leader election) and the thesis' PreVote/CheckQuorum (§9.6), in our own words.

describe('leader election', () => {
  test('a follower that hears no leader for its election timeout starts an election for the next term', () => {
    const c = new Cores([1, 2, 3], { preVote: false });
    const before = c.node(1).core.status().term;
    c.tick(1, 2 * defaultRaftConfig.electionTicks);
    const st = c.node(1).core.status();
    expect(st.role).toBe('candidate');
    expect(st.term).toBe(before + 1);
    expect(st.vote).toBe(1);
    const votes = c.queue.filter((m): m is VoteMessage => m.type === 'Vote');
    expect(votes.map((m) => m.to).sort()).toEqual([2, 3]);
    expect(votes.every((m) => m.term === before + 1)).toBe(true);
  });

  test('election timeouts are randomized between one and two election timeouts', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const log = new MemoryLog();
      log.snap = { index: 0, term: 0, conf: { voters: [1, 2, 3], learners: [] } };
      const core = new RaftCore(
        { ...defaultRaftConfig, id: 1, preVote: false, random: seededRandom(seed) },
        log,
        log.hardState,
      );
      let ticks = 0;
      while (core.status().role === 'follower') {
        core.tick();
        ticks++;
      }
      expect(ticks).toBeGreaterThanOrEqual(defaultRaftConfig.electionTicks);
      expect(ticks).toBeLessThan(2 * defaultRaftConfig.electionTicks);
      seen.add(ticks);
    }
    expect(seen.size).toBeGreaterThan(3);
  });

  test('a candidate that wins a majority becomes leader and appends an empty entry of its term', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    const st = c.node(1).core.status();
    expect(st.role).toBe('leader');
    expect(c.node(1).log.term(st.lastIndex)).toBe(st.term);
    expect(c.leaders()).toEqual([1]);
    // The no-op commits; followers learn the commit with the next heartbeat.
    c.tick(1);
    c.deliverAll();
    expect(c.node(2).core.status().commit).toBe(st.lastIndex);
  });

  test('a node grants at most one vote per term', () => {
    const c = new Cores([1, 2, 3], { preVote: false, checkQuorum: false });
    const n3 = c.node(3).core;
    const term = n3.status().term + 1;
    n3.step({ type: 'Vote', from: 1, to: 3, term, lastIndex: 3, lastTerm: 1, transfer: false });
    n3.step({ type: 'Vote', from: 2, to: 3, term, lastIndex: 3, lastTerm: 1, transfer: false });
    const rd = n3.ready();
    const answers = rd.persistedMessages.filter((m) => m.type === 'VoteResp');
    expect(answers).toEqual([
      expect.objectContaining({ to: 1, reject: false }),
      expect.objectContaining({ to: 2, reject: true }),
    ]);
    expect(rd.hardState).toEqual(expect.objectContaining({ term, vote: 1 }));
  });

  test('a vote is answered only after it is durable', () => {
    const c = new Cores([1, 2, 3], { preVote: false, checkQuorum: false });
    const n3 = c.node(3).core;
    n3.step({ type: 'Vote', from: 1, to: 3, term: 5, lastIndex: 3, lastTerm: 1, transfer: false });
    const rd = n3.ready();
    expect(rd.messages.some((m) => m.type === 'VoteResp')).toBe(false);
    expect(rd.persistedMessages.some((m) => m.type === 'VoteResp')).toBe(true);
    expect(rd.mustSync).toBe(true);
  });

  test('a voter refuses a candidate whose log is less up to date than its own', () => {
    const c = new Cores([1, 2, 3], { preVote: false, checkQuorum: false });
    c.elect(1);
    c.propose(1, 'x');
    c.deliverAll();
    const n2 = c.node(2).core;
    const st = n2.status();
    // Candidate 3 claims an older log (shorter, same last term).
    n2.step({
      type: 'Vote',
      from: 3,
      to: 2,
      term: st.term + 1,
      lastIndex: st.lastIndex - 1,
      lastTerm: st.term,
      transfer: false,
    });
    const rd = n2.ready();
    expect(rd.persistedMessages).toEqual([expect.objectContaining({ type: 'VoteResp', to: 3, reject: true })]);
  });

  test('a node that sees a higher term adopts it and becomes a follower', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    const leader = c.node(1).core;
    const term = leader.status().term;
    leader.step({
      type: 'AppResp',
      from: 2,
      to: 1,
      term: term + 3,
      index: 0,
      reject: false,
      hintIndex: 0,
      hintTerm: 0,
    });
    expect(leader.status()).toEqual(expect.objectContaining({ role: 'follower', term: term + 3, vote: 0 }));
  });

  test('a message from an older term is ignored, and a stale leader is told the current term', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    const n2 = c.node(2).core;
    const term = n2.status().term;
    c.queue = [];
    n2.step({ type: 'App', from: 3, to: 2, term: term - 1, prevIndex: 0, prevTerm: 0, entries: [], commit: 0 });
    expect(n2.status().lead).toBe(1);
    const rd = n2.ready();
    expect(rd.messages).toEqual([expect.objectContaining({ type: 'AppResp', to: 3, term })]);
  });

  test('a restarted node remembers its term and vote', () => {
    const c = new Cores([1, 2, 3], { preVote: false });
    c.elect(1);
    const before = c.node(2).core.status();
    c.restart(2);
    const after = c.node(2).core.status();
    expect(after.term).toBe(before.term);
    expect(after.vote).toBe(before.vote);
  });
});

describe.each([
  [true, true],
  [true, false],
  [false, true],
  [false, false],
])('preVote=%s checkQuorum=%s', (preVote, checkQuorum) => {
  test('a node rejoining after a partition disturbs the leader only without PreVote', () => {
    const c = new Cores([1, 2, 3], { preVote, checkQuorum });
    c.elect(1);
    const term = c.node(1).core.status().term;
    c.isolate(3);
    // The isolated node times out again and again.
    for (let i = 0; i < 5; i++) {
      c.tick(3, 2 * defaultRaftConfig.electionTicks);
      c.deliverAll();
    }
    c.heal();
    for (let i = 0; i < 3; i++) {
      c.tick(1, 1);
      c.tick(3, 2 * defaultRaftConfig.electionTicks);
      c.deliverAll();
    }
    const leader = c.node(1).core.status();
    if (preVote) {
      expect(leader.role).toBe('leader');
      expect(leader.term).toBe(term);
      expect(c.node(3).core.status().term).toBe(term);
    } else {
      expect(Math.max(...[1, 2, 3].map((id) => c.node(id).core.status().term))).toBeGreaterThan(term);
    }
  });

  test('a leader cut off from a quorum steps down after an election timeout only with CheckQuorum', () => {
    const c = new Cores([1, 2, 3], { preVote, checkQuorum });
    c.elect(1);
    c.isolate(1);
    for (let i = 0; i < 2 * defaultRaftConfig.electionTicks; i++) {
      c.tick(1);
      c.deliverAll();
    }
    expect(c.node(1).core.status().role).toBe(checkQuorum ? 'follower' : 'leader');
  });

  test('a follower in contact with its leader ignores vote requests only with CheckQuorum (leader lease)', () => {
    const c = new Cores([1, 2, 3], { preVote, checkQuorum });
    c.elect(1);
    const n2 = c.node(2).core;
    const st = n2.status();
    n2.step({
      type: 'Vote',
      from: 3,
      to: 2,
      term: st.term + 1,
      lastIndex: st.lastIndex,
      lastTerm: st.term,
      transfer: false,
    });
    expect(n2.status().term).toBe(checkQuorum ? st.term : st.term + 1);
  });
});
