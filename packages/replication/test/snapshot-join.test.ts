// A new node joins a cluster whose log was compacted past a large database and catches up by snapshot.
// CI uses 24 MB; `npm run test:snapshot-join` runs it with 200 MB (WALRAFT_SNAPSHOT_MB).
import { newToken } from '../src';
import { SqliteCluster, write } from './helpers';

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
    const perTx = 8 << 20;
    for (let done = 0; done < megabytes * 1e6; done += perTx) {
      await l.sm.write('big.db', {
        token: newToken(),
        statements: [
          {
            sql: 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64) INSERT INTO blobs (b) SELECT randomblob(?) FROM n',
            params: [perTx / 64],
            mode: 'run',
          },
        ],
      });
    }
    const filled = l.node.status().commit;
    for (let i = 0; l.node.status().snapshotIndex < filled; i++) {
      if (i > 500) throw new Error('the log was never compacted past the fill');
      await write(l, 'big.db', 'INSERT INTO blobs (b) VALUES (randomblob(10))');
    }
    await c.start(4, { join: [l.id] });
    const hashes = await c.converged('big.db', 60_000 + megabytes * 1_000);
    expect(hashes.size).toBe(4);
    const joined = c.members.get(4);
    expect(joined?.node.status().snapshotIndex).toBeGreaterThanOrEqual(filled);
    expect(joined?.sm.database('big.db').reader().pragma('quick_check', { simple: true })).toBe('ok');
  });
});
