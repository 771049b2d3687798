import type { Client, Database } from '../src';
import { connect } from '../src';
import { EmbeddedCluster } from './helpers';

jest.setTimeout(120_000);

const cluster = new EmbeddedCluster();
const clients: Client[] = [];

beforeAll(async () => {
  await cluster.bootstrap(3);
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await cluster.close();
});

it('64 concurrent clients (embedded and remote, on every node) run read-modify-write transactions with no busy errors', async () => {
  const nodes = [...cluster.nodes.values()];
  const setup = await nodes[0]?.open('counter.db');
  await setup?.exec(
    'CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0);',
  );
  await setup?.exec('CREATE TABLE log (id INTEGER PRIMARY KEY, client INTEGER, seen INTEGER)');
  const dbs: Database[] = [];
  for (let i = 0; i < 64; i++) {
    const node = nodes[i % nodes.length];
    if (!node) throw new Error('no node');
    if (i % 2 === 0) {
      dbs.push(await node.open('counter.db'));
    } else {
      const client = await connect([node.address]);
      clients.push(client);
      dbs.push(await client.open('counter.db'));
    }
  }
  const perClient = 5;
  const errors: string[] = [];
  await Promise.all(
    dbs.map(async (db, client) => {
      for (let k = 0; k < perClient; k++) {
        try {
          await db.transaction(async (tx) => {
            const row = await tx.get('SELECT n FROM counter WHERE id = 1');
            const seen = row?.n as number;
            await tx.run('UPDATE counter SET n = ? WHERE id = 1', [seen + 1]);
            await tx.run('INSERT INTO log (client, seen) VALUES (?, ?)', [client, seen]);
          });
        } catch (err) {
          errors.push(`${(err as { code?: string }).code ?? ''} ${(err as Error).message}`);
        }
      }
    }),
  );
  expect(errors).toEqual([]);
  const total = 64 * perClient;
  expect(await dbs[1]?.get('SELECT n FROM counter WHERE id = 1')).toEqual({ n: total });
  // serializable: every transaction saw a different counter value, 0 … total-1
  const seen = (await dbs[2]?.all('SELECT seen FROM log ORDER BY seen'))?.map((r) => r.seen);
  expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
});
