// I1 and I5: without a quorum a commit stays invisible, even on the leader that holds it; its caller gets
// CommitOutcomeUnknownError with the token, and recover() on the next leader answers with the truth.
import { CommitOutcomeUnknownError } from '../src';
import { eventually, request, SqliteCluster, write } from './helpers';

jest.setTimeout(90_000);

describe('a commit without a quorum', () => {
  let c: SqliteCluster;
  afterAll(async () => {
    await c.close();
  });

  it('is never visible before it commits, fails as unknown, and recover() tells the truth', async () => {
    c = new SqliteCluster({ requestTimeoutMs: 3_000 });
    await c.startAll(3);
    const l = await c.leader();
    await l.sm.createDatabase('app.db');
    await l.sm.createDatabase('other.db');
    await write(l, 'app.db', 'CREATE TABLE t (v TEXT)');
    await c.converged('app.db');
    const followers = [...c.members.values()].filter((m) => m.id !== l.id).map((m) => m.id);
    for (const id of followers) await c.stop(id);

    const req = request("INSERT INTO t VALUES ('in doubt')");
    const pending = l.sm.write('app.db', req).then(
      () => 'committed',
      (e: unknown) => e,
    );
    const seen = (): number =>
      (
        l.sm.database('app.db').reader().prepare("SELECT count(*) AS n FROM t WHERE v = 'in doubt'").get() as {
          n: number;
        }
      ).n;
    // the transaction is parked at the commit gate: no reader sees it meanwhile
    for (let i = 0; i < 20; i++) {
      expect(seen()).toBe(0);
      await new Promise((r) => setTimeout(r, 50));
    }
    const outcome = await pending;
    expect(outcome).toBeInstanceOf(CommitOutcomeUnknownError);
    expect(Buffer.from((outcome as CommitOutcomeUnknownError).token)).toEqual(Buffer.from(req.token));
    expect(seen()).toBe(0);

    for (const id of followers) await c.start(id);
    const leader = await eventually('a leader that can write', async () => {
      const m = c.leaderOrUndefined();
      if (!m) return undefined;
      await write(m, 'other.db', 'CREATE TABLE IF NOT EXISTS probe (x)');
      return m;
    });
    const committed = await leader.sm.recover('app.db', req.token);
    await c.converged('app.db');
    for (const m of c.members.values()) {
      const n = (
        m.sm.database('app.db').reader().prepare("SELECT count(*) AS n FROM t WHERE v = 'in doubt'").get() as {
          n: number;
        }
      ).n;
      expect(n).toBe(committed ? 1 : 0);
    }
  });
});
