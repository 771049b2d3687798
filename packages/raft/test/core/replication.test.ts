import type { AppendMessage, AppendResponseMessage, Entry } from '../../src';
import { EntryType } from '../../src';
import { Cores } from '../helpers/cores';

// Raft paper §5.3–5.4 (log replication, safety) and etcd-style flow control, in our own words.

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('log replication', () => {
  test('the leader commits an entry once a majority stores it, and every node applies it in order', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    for (const v of ['a', 'b', 'c']) c.propose(1, v);
    c.deliverAll();
    expect(c.appliedTexts(1)).toEqual(['a', 'b', 'c']);
    // followers learn the commit index from the next App or heartbeat
    c.tick(1);
    c.deliverAll();
    for (const id of [2, 3]) expect(c.appliedTexts(id)).toEqual(['a', 'b', 'c']);
  });

  test('an entry stored only by a minority is not committed', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    const r = c.propose(1, 'lonely');
    c.deliverAll();
    expect('index' in r).toBe(true);
    expect(c.node(1).core.status().commit).toBeLessThan(c.node(1).core.status().lastIndex);
    expect(c.appliedTexts(1)).toEqual([]);
  });

  test('proposals on a follower are refused, naming the leader', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    expect(c.propose(2, 'x')).toEqual({ reason: 'NotLeader', leader: 1 });
  });

  test('a follower refuses entries whose predecessor it does not have, with a hint where to retry', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    const n2 = c.node(2).core;
    const st = n2.status();
    n2.step({
      type: 'App',
      from: 1,
      to: 2,
      term: st.term,
      prevIndex: st.lastIndex + 5,
      prevTerm: st.term,
      entries: [],
      commit: 0,
    });
    const resp = n2.ready().persistedMessages[0] as AppendResponseMessage;
    expect(resp).toEqual(expect.objectContaining({ type: 'AppResp', reject: true, index: st.lastIndex + 5 }));
    expect(resp.hintIndex).toBe(st.lastIndex);
    expect(resp.hintTerm).toBe(st.term);
  });

  test('a follower replaces a conflicting suffix with the leader entries', () => {
    const c = new Cores([1, 2, 3], { checkQuorum: false });
    c.elect(1);
    // Node 1 appends two entries no one else gets, then loses leadership.
    c.isolate(1);
    c.propose(1, 'lost-1');
    c.propose(1, 'lost-2');
    c.deliverAll();
    c.elect(2);
    c.propose(2, 'kept');
    c.deliverAll();
    c.heal();
    c.propose(2, 'more');
    c.tick(2);
    c.deliverAll();
    expect(c.appliedTexts(1)).toEqual(['kept', 'more']);
    const l1 = c.node(1).log;
    const l2 = c.node(2).log;
    expect(l1.lastIndex()).toBe(l2.lastIndex());
    for (let i = 1; i <= l1.lastIndex(); i++) expect(l1.term(i)).toBe(l2.term(i));
  });

  test('a follower with a long divergent tail is repaired in a few round trips thanks to conflict hints', () => {
    const c = new Cores([1, 2, 3], { preVote: false, checkQuorum: false });
    c.elect(3);
    // Node 3 leads alone for a while: 30 entries nobody else gets.
    c.isolate(3);
    for (let i = 0; i < 30; i++) c.propose(3, `lost${i}`);
    c.deliverAll();
    // Nodes 1 and 2 move on in a later term with 50 committed entries.
    c.elect(1);
    for (let i = 0; i < 50; i++) c.propose(1, `e${i}`);
    c.deliverAll();
    // A fresh leadership starts probing node 3 at the end of its log, far beyond node 3's.
    c.restart(1);
    c.elect(1);
    c.heal();
    c.tick(1);
    const rejections = c.deliverAll().filter((m) => m.type === 'AppResp' && m.from === 3 && m.reject);
    expect(rejections.length).toBeGreaterThan(0);
    expect(rejections.length).toBeLessThanOrEqual(3);
    expect(c.appliedTexts(3)).toHaveLength(50);
    expect(c.appliedTexts(3)[0]).toBe('e0');
  });

  test('entries are acknowledged only once durable, while the leader sends before its own fsync', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    const leader = c.node(1).core;
    leader.propose(enc('x'));
    const rd = leader.ready();
    c.node(1).log.append(rd.entries);
    expect(rd.entries).toHaveLength(1);
    const apps = rd.messages.filter((m): m is AppendMessage => m.type === 'App');
    expect(apps.map((m) => m.entries.length)).toEqual([1, 1]);
    const follower = c.node(2).core;
    const app = apps.find((m) => m.to === 2);
    if (!app) throw new Error('no App to 2');
    follower.step(app);
    const frd = follower.ready();
    c.node(2).log.append(frd.entries);
    expect(frd.messages.some((m) => m.type === 'AppResp')).toBe(false);
    expect(frd.persistedMessages).toEqual([expect.objectContaining({ type: 'AppResp', index: app.prevIndex + 1 })]);
  });

  test('the leader does not count its own entry toward a quorum before its fsync', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    const leader = c.node(1).core;
    const r = leader.propose(enc('x'));
    if (!('index' in r)) throw new Error('not leader');
    const rd = leader.ready(); // appended, not yet durable
    c.node(1).log.append(rd.entries);
    leader.step({
      type: 'AppResp',
      from: 2,
      to: 1,
      term: r.term,
      index: r.index,
      reject: false,
      hintIndex: 0,
      hintTerm: 0,
    });
    // Two of three hold it (2 and, durably, nobody else): with only node 2 durable it must not commit.
    expect(leader.status().commit).toBeLessThan(r.index);
    leader.onPersisted(rd.number);
    expect(leader.status().commit).toBe(r.index);
  });

  test('a leader commits an entry of an earlier term only by committing one of its own (Figure 8)', () => {
    const c = new Cores([1, 2, 3], { preVote: false, checkQuorum: false });
    c.elect(1);
    // Node 1 appends an entry in its term that reaches nobody, then learns of a newer term.
    c.isolate(1);
    const old = c.propose(1, 'old-term');
    if (!('index' in old)) throw new Error('not leader');
    c.deliverAll();
    c.heal();
    const n1 = c.node(1).core;
    const t = n1.status().term;
    n1.step({ type: 'Vote', from: 3, to: 1, term: t + 1, lastIndex: 0, lastTerm: 0, transfer: false });
    c.settle();
    c.queue = [];
    // Node 1 wins the next election, but its no-op reaches nobody.
    n1.campaign();
    c.deliverAll((m) => !(m.type === 'App' && m.entries.some((e) => e.type === EntryType.Noop)));
    const st = n1.status();
    expect(st.role).toBe('leader');
    // Node 2 acknowledges the old-term entry only.
    n1.step({
      type: 'AppResp',
      from: 2,
      to: 1,
      term: st.term,
      index: old.index,
      reject: false,
      hintIndex: 0,
      hintTerm: 0,
    });
    expect(n1.status().commit).toBeLessThan(old.index);
    // Once the no-op of its term is on a majority, both commit.
    n1.step({
      type: 'AppResp',
      from: 2,
      to: 1,
      term: st.term,
      index: st.lastIndex,
      reject: false,
      hintIndex: 0,
      hintTerm: 0,
    });
    expect(n1.status().commit).toBe(st.lastIndex);
  });

  test('in probe state one App is in flight; in replicate state up to maxInflightMsgs are', () => {
    const c = new Cores([1, 2], { maxInflightMsgs: 3, maxSizePerMsg: 1 });
    c.elect(1);
    const leader = c.node(1).core;
    c.isolate(2);
    for (let i = 0; i < 10; i++) leader.propose(enc(`e${i}`));
    const apps = (msgs: readonly { type: string; to: number }[]): number =>
      msgs.filter((m) => m.type === 'App' && m.to === 2).length;
    expect(apps(leader.ready().messages)).toBe(3); // replicate state: window of 3
    leader.reportUnreachable(2); // back to probing
    leader.tick();
    const probe = leader.ready().messages;
    expect(apps(probe)).toBeLessThanOrEqual(1);
  });

  test('proposals beyond the uncommitted-bytes limit are refused', () => {
    const c = new Cores([1, 2, 3], { maxUncommittedBytes: 100 });
    c.elect(1);
    c.isolate(1);
    expect('index' in c.propose(1, 'x'.repeat(60))).toBe(true);
    expect(c.propose(1, 'y'.repeat(60))).toEqual({ reason: 'TooLarge' });
  });

  test('committed entries are handed out in bounded batches', () => {
    const c = new Cores([1], { maxApplyBytesPerReady: 10 });
    c.elect(1);
    const core = c.node(1).core;
    for (let i = 0; i < 5; i++) core.propose(enc('0123456789'));
    const sizes: number[] = [];
    for (let i = 0; i < 10 && core.hasReady(); i++) {
      const rd = core.ready();
      c.node(1).log.append(rd.entries);
      core.onPersisted(rd.number);
      const normal = rd.committedEntries.filter((e: Entry) => e.type === EntryType.Normal);
      if (normal.length) sizes.push(normal.length);
      for (const e of rd.committedEntries) core.onApplied(e.index);
    }
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBe(1);
  });

  test('committed entries handed out but not applied are bounded; applying them releases more', () => {
    const c = new Cores([1], { maxApplyBytesPerReady: 10, maxApplyingBytes: 25 });
    c.elect(1);
    const core = c.node(1).core;
    const drain = (): Entry[] => {
      const out: Entry[] = [];
      for (let i = 0; i < 20 && core.hasReady(); i++) {
        const rd = core.ready();
        c.node(1).log.append(rd.entries);
        core.onPersisted(rd.number);
        out.push(...rd.committedEntries.filter((e: Entry) => e.type === EntryType.Normal));
      }
      return out;
    };
    // settle the election's own entries
    for (const e of drain()) core.onApplied(e.index);
    for (let i = 0; i < 5; i++) core.propose(enc('0123456789'));
    // nothing applied: three 10-byte entries reach the 25-byte bound, the other two wait
    const first = drain();
    expect(first).toHaveLength(3);
    expect(core.hasReady()).toBe(false);
    expect(core.status().commit).toBeGreaterThan(first[first.length - 1]?.index ?? 0);
    for (const e of first) core.onApplied(e.index);
    const rest = drain();
    expect(rest.map((e) => e.index)).toEqual([4, 5].map((k) => (first[0]?.index ?? 0) + k - 1));
  });
});
