// A full disk: on the leader a write fails with a definite SQLite error before anything is proposed; on a
// follower the node stops applying (it never skips an entry) and, with space again, restarts and converges.
import { injectWriteFault } from '@walraft/vfs';
import { SqliteError } from '../src';
import { eventually, SqliteCluster, write } from './helpers';

jest.setTimeout(120_000);

describe('a full disk', () => {
  let c: SqliteCluster;
  beforeAll(async () => {
    c = new SqliteCluster();
    await c.startAll(3);
    const l = await c.leader();
    await l.sm.createDatabase('app.db');
    await write(l, 'app.db', 'CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
  });
  afterAll(async () => {
    await c.close();
  });

  it('on the leader fails the write definitely, proposes nothing, and writes resume once space is back', async () => {
    const l = await c.leader();
    const file = l.sm.database('app.db').path;
    const before = l.node.status().lastIndex;
    injectWriteFault(file, 'full');
    try {
      const err = await write(l, 'app.db', 'INSERT INTO t (v) VALUES (randomblob(100000))').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SqliteError);
      expect((err as SqliteError).code).toMatch(/^SQLITE_FULL/);
      expect((err as SqliteError).definite).toBe(true);
      expect(l.node.status().lastIndex).toBe(before);
    } finally {
      injectWriteFault(file, undefined);
    }
    await write(l, 'app.db', 'INSERT INTO t (v) VALUES (randomblob(100))');
    await c.converged('app.db');
  });

  it('on a follower stops that node without skipping anything; restarted with space, it converges', async () => {
    const l = await c.leader();
    const f = [...c.members.values()].find((m) => m.id !== l.id);
    if (!f) throw new Error('no follower');
    const file = f.sm.database('app.db').path;
    injectWriteFault(file, 'full');
    try {
      // the other follower makes the quorum: writes go on
      for (let i = 0; i < 20; i++) await write(l, 'app.db', 'INSERT INTO t (v) VALUES (randomblob(500))');
      await eventually('the follower stops', () => (f.node.raftNode.isStopped ? true : undefined));
      expect(f.node.raftNode.appliedIndex()).toBeLessThan(l.node.status().commit);
    } finally {
      injectWriteFault(file, undefined);
    }
    await c.stop(f.id);
    await c.start(f.id);
    await c.converged('app.db');
    const back = c.members.get(f.id);
    expect(back?.sm.database('app.db').reader().pragma('integrity_check', { simple: true })).toBe('ok');
    expect(back?.sm.database('app.db').reader().prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 21 });
  });
});
