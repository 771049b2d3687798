// Token rows are pruned by the leader's clock inside ordinary transactions (so pruning replicates as pages);
// recover() of a pruned token is TokenExpiredError, never a wrong answer.
import { newToken, TokenExpiredError } from '../src';
import { request, SqliteCluster, write } from './helpers';

jest.setTimeout(60_000);

describe('commit token retention', () => {
  let c: SqliteCluster;
  afterAll(async () => {
    await c.close();
  });

  it('prunes old token rows on every node alike; recovering one is TokenExpiredError', async () => {
    c = new SqliteCluster({ tokenRetentionMs: 400 });
    await c.startAll(3);
    const l = await c.leader();
    await l.sm.createDatabase('app.db');
    await write(l, 'app.db', 'CREATE TABLE t (v)');
    const old = request('INSERT INTO t VALUES (1)');
    await l.sm.write('app.db', old);
    await expect(l.sm.recover('app.db', old.token)).resolves.toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    // pruning runs every 64 transactions
    for (let i = 0; i < 70; i++) await write(l, 'app.db', 'INSERT INTO t VALUES (2)');
    const hashes = await c.converged('app.db');
    expect(hashes.size).toBe(3);
    for (const m of c.members.values()) expect(m.sm.database('app.db').lookupToken(old.token)).toBeUndefined();
    await expect(l.sm.recover('app.db', old.token)).rejects.toBeInstanceOf(TokenExpiredError);
    // a recent token that never committed is still answered, and burnt
    await expect(l.sm.recover('app.db', newToken())).resolves.toBe(false);
    // a write carrying a token that old is refused before it runs (its burn record may be gone)
    const err = await l.sm
      .write('app.db', request('INSERT INTO t VALUES (3)', undefined, old.token))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenExpiredError);
    expect((err as TokenExpiredError).definite).toBe(true);
  });
});
