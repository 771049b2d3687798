import { Cores } from '../helpers/cores';

// Thesis §5 (log compaction, InstallSnapshot), in our own words.

describe('snapshots', () => {
  test('a follower whose next entry was compacted away receives a snapshot and then the rest of the log', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 20; i++) c.propose(1, `e${i}`);
    c.deliverAll();
    const leaderLog = c.node(1).log;
    const st = c.node(1).core.status();
    leaderLog.compact({ index: st.commit, term: leaderLog.term(st.commit) ?? 0, conf: st.conf });
    c.propose(1, 'after');
    c.deliverAll();
    c.heal();
    c.tick(1);
    const seen = c.deliverAll();
    const snap = seen.find((m) => m.type === 'Snap');
    expect(snap).toEqual(expect.objectContaining({ to: 3 }));
    c.node(1).core.reportSnapshot(3, true);
    c.tick(1);
    c.deliverAll();
    const n3 = c.node(3);
    expect(n3.log.snapshot().index).toBe(st.commit);
    expect(c.appliedTexts(3)).toEqual(['after']);
    expect(n3.core.status().conf).toEqual(st.conf);
  });

  test('a snapshot older than what the follower has committed is acknowledged without being installed', () => {
    const c = new Cores([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'x');
    c.deliverAll();
    const n2 = c.node(2).core;
    const st = n2.status();
    n2.step({ type: 'Snap', from: 1, to: 2, term: st.term, meta: { index: 2, term: 1, conf: st.conf } });
    const rd = n2.ready();
    expect(rd.snapshot).toBeUndefined();
    expect(rd.persistedMessages).toEqual([
      expect.objectContaining({ type: 'AppResp', index: st.commit, reject: false }),
    ]);
  });
});
