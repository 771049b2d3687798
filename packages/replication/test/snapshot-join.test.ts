// A new node joins a cluster whose log was compacted past a large database and catches up by snapshot.
// CI uses 24 MB; `npm run test:snapshot-join` runs it with 200 MB (WALRAFT_SNAPSHOT_MB).
import { newToken } from '../src';
import { request, SqliteCluster, write, writeAnywhere } from './helpers';

const megabytes = Number(process.env.WALRAFT_SNAPSHOT_MB ?? 24);
jest.setTimeout(120_000 + megabytes * 2_000);

describe('snapshot catch-up', () => {
  let c: SqliteCluster;
  afterAll(async () => {
    await c.close();
  });

  it(`brings a new node to a ${megabytes} MB database, page-identical`, async () => {
    c = new SqliteCluster({ checkpointEvery: 20 });
    await c.startAll(3);
    const l = await c.leader();
    await l.sm.createDatabase('big.db');
    await write(l, 'big.db', 'CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB)');
    // a second database travels in the same snapshot
    await l.sm.createDatabase('small.db', 512);
    await write(l, 'small.db', 'CREATE TABLE s (v)');
    for (let i = 0; i < 10; i++) await write(l, 'small.db', 'INSERT INTO s VALUES (?)', [i]);
    // big entries can stall this one process (three nodes share its event loop): leadership may move
    const perTx = 8 << 20;
    for (let done = 0; done < megabytes * 1e6; done += perTx) {
      await writeAnywhere(c, 'big.db', () => ({
        token: newToken(),
        statements: [
          {
            sql: 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64) INSERT INTO blobs (b) SELECT randomblob(?) FROM n',
            params: [perTx / 64],
            mode: 'run',
          },
        ],
      }));
    }
    const filled = (await c.leader()).node.status().commit;
    for (let i = 0; (await c.leader()).node.status().snapshotIndex < filled; i++) {
      if (i > 500) throw new Error('the log was never compacted past the fill');
      await writeAnywhere(c, 'big.db', () => request('INSERT INTO blobs (b) VALUES (randomblob(10))'));
    }
    await c.start(4, { join: [(await c.leader()).id] });
    const hashes = await c.converged('big.db', 60_000 + megabytes * 1_000);
    expect(hashes.size).toBe(4);
    expect((await c.converged('small.db')).size).toBe(4);
    const joined = c.members.get(4);
    expect(joined?.node.status().snapshotIndex).toBeGreaterThanOrEqual(filled);
    expect(joined?.sm.database('big.db').reader().pragma('quick_check', { simple: true })).toBe('ok');
  });
});
