import * as path from 'node:path';
import { ProcessCluster } from '@walraft/raft';
import type { Client, Database } from '../src';
import { CommitOutcomeUnknownError, connect } from '../src';
import { eventually, sleep } from './helpers';

jest.setTimeout(180_000);

// Node processes (kill -9 able) running startNode; the clients live in this process.
const script = path.join(__dirname, '..', 'dist', 'testing', 'node-main.js');
let cluster: ProcessCluster | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await cluster?.close();
  cluster = undefined;
});

interface Ledger {
  acked: Set<string>;
  unknown: Map<string, Uint8Array>;
  failed: Set<string>;
  errors: Map<string, number>;
}

/** Inserts unique values until told to stop; records every outcome. Half use interactive transactions. */
async function writer(db: Database, name: string, interactive: boolean, stop: () => boolean, l: Ledger): Promise<void> {
  for (let i = 0; !stop(); i++) {
    const value = `${name}-${i}`;
    try {
      if (interactive) {
        await db.transaction(async (tx) => {
          await tx.run('INSERT INTO s (v) VALUES (?)', [value]);
        });
      } else {
        await db.run('INSERT INTO s (v) VALUES (?)', [value]);
      }
      l.acked.add(value);
    } catch (err) {
      const e = err as Error & { code?: string; definite?: boolean };
      l.errors.set(e.code ?? e.name, (l.errors.get(e.code ?? e.name) ?? 0) + 1);
      if (err instanceof CommitOutcomeUnknownError) l.unknown.set(value, err.token);
      else if (e.definite === true) l.failed.add(value);
      else throw err;
    }
  }
}

it('remote clients survive kill -9 of the leader: definite failures retried, unknown outcomes resolved by recover', async () => {
  const c = (cluster = new ProcessCluster({ script, clusterId: 'failover' }));
  await c.start(1, { bootstrap: true });
  await c.start(2, { join: [1] });
  await c.start(3, { join: [1] });
  const all = [1, 2, 3];
  const client = await connect(
    all.map((id) => c.address(id)),
    { clusterId: 'failover' },
  );
  clients.push(client);
  const db = await client.open('set.db');
  await db.exec('CREATE TABLE s (id INTEGER PRIMARY KEY, v TEXT UNIQUE NOT NULL)');
  // a second client attached to one follower only: its writes are forwarded
  const first = await c.leader();
  const via = all.find((id) => id !== first) ?? 0;
  const followerClient = await connect([c.address(via)], { clusterId: 'failover' });
  clients.push(followerClient);
  const fdb = await followerClient.open('set.db');

  const ledger: Ledger = { acked: new Set(), unknown: new Map(), failed: new Set(), errors: new Map() };
  let stopping = false;
  const writers = [
    ...Array.from({ length: 4 }, (_, i) => writer(db, `w${i}`, i % 2 === 1, () => stopping, ledger)),
    ...Array.from({ length: 2 }, (_, i) => writer(fdb, `f${i}`, i % 2 === 1, () => stopping, ledger)),
  ];
  let kills = 0;
  for (let round = 0; round < 3; round++) {
    await sleep(1_500);
    const lead = await c.leader();
    await c.kill(lead);
    kills++;
    await sleep(1_000);
    await c.start(lead);
  }
  await sleep(1_500);
  stopping = true;
  await Promise.all(writers);
  expect(kills).toBe(3);

  // definite failures were retried: none surfaced; only transactions cut before their commit may abort
  const surfaced = [...ledger.errors.keys()].filter(
    (k) => k !== 'WALRAFT_OUTCOME_UNKNOWN' && k !== 'WALRAFT_TRANSACTION_ABORTED',
  );
  expect(surfaced).toEqual([]);
  expect(ledger.acked.size).toBeGreaterThan(50);

  const resolved = new Map<string, boolean>();
  for (const [value, token] of ledger.unknown) resolved.set(value, await db.recover(token));
  const rows = (await db.all('SELECT v FROM s')).map((r) => r.v as string);
  const present = new Set(rows);
  expect(rows.length).toBe(present.size);
  expect([...ledger.acked].filter((v) => !present.has(v))).toEqual([]);
  expect([...ledger.failed].filter((v) => present.has(v))).toEqual([]);
  for (const [value, committed] of resolved) expect([value, present.has(value)]).toEqual([value, committed]);
  // nothing present that no writer tried
  const tried = new Set([...ledger.acked, ...ledger.unknown.keys(), ...ledger.failed]);
  expect(rows.filter((v) => !tried.has(v))).toEqual([]);
  // every node holds the same rows
  for (const id of all) {
    const one = await connect([c.address(id)], { clusterId: 'failover' });
    clients.push(one);
    const d = await one.open('set.db');
    await eventually(`node ${id} caught up`, async () =>
      (await d.get('SELECT count(*) AS c FROM s', [], { consistency: 'none' }))?.c === rows.length ? true : undefined,
    );
  }
});
