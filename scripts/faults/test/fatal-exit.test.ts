// A node whose Raft log write fails (a full disk) stops without acknowledging anything more and exits with
// code 74 promptly — also when it is the leader with writers parked at the commit gate — and, restarted with
// space again, catches up. Real `walraft start` processes with the fault hook preloaded.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from 'walraft';
import { CommitOutcomeUnknownError, connect } from 'walraft';
import { FaultCluster } from '../src/cluster';

jest.setTimeout(120_000);

const hook = path.join(__dirname, '..', 'dist', 'disk-fault-hook.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-fatal-'));
const cluster = new FaultCluster({
  dir,
  nodes: 3,
  spareIds: 0,
  clusterId: 'fatal',
  random: Math.random,
  execArgv: ['--require', hook],
});
let client: Client | undefined;

afterAll(async () => {
  await client?.close();
  await cluster.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('a leader whose log cannot be written exits 74 under load; restarted, it catches up', async () => {
  await cluster.start();
  client = await connect(cluster.memberAddresses(), { clusterId: 'fatal', requestTimeoutMs: 3_000 });
  const db = await client.open('f.db');
  await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
  let stop = false;
  const acked: number[] = [];
  const writers = Array.from({ length: 4 }, async () => {
    while (!stop) {
      try {
        const r = await db.run('INSERT INTO t (v) VALUES (randomblob(100))');
        acked.push(Number(r.lastInsertRowid));
      } catch {
        // the leader's failure surfaces as unknown or definite errors; the check below is what counts
      }
    }
  });
  // interactive transactions too: whatever step the failure hits, the client learns either that the
  // transaction certainly did not commit, or gets its token for recover()
  const unresolvable: string[] = [];
  const transactions = Array.from({ length: 2 }, async () => {
    while (!stop) {
      try {
        const tx = await db.begin();
        await tx.run('INSERT INTO t (v) VALUES (randomblob(100))');
        await tx.run('SELECT count(*) FROM t');
        await tx.commit();
      } catch (err) {
        const e = err as Error & { definite?: boolean; code?: string };
        if (e.definite !== true && !(err instanceof CommitOutcomeUnknownError))
          unresolvable.push(`${e.code}: ${e.message}`);
      }
    }
  });
  await new Promise((r) => setTimeout(r, 500));
  const leader = await cluster.leader();
  if (leader === undefined) throw new Error('no leader');
  const node = cluster.node(leader);
  fs.writeFileSync(`${node.dataDir}.disk-fault`, 'log ENOSPC\n');
  node.signal('SIGUSR2');
  await node.exited();
  expect(node.unexpectedExits).toEqual([{ code: 74, signal: null, duringStart: false }]);
  stop = true;
  await Promise.all([...writers, ...transactions]);
  expect(unresolvable).toEqual([]);

  fs.rmSync(`${node.dataDir}.disk-fault`);
  await cluster.restart(leader);
  await cluster.waitFor('the restarted node caught up', async () => {
    const s = await node.status();
    const lead = await cluster.leaderStatus();
    return s !== undefined && lead !== undefined && s.appliedIndex >= lead.commitIndex;
  });
  const rows = await db.all('SELECT id FROM t');
  const present = new Set(rows.map((r) => Number(r.id)));
  expect(acked.filter((id) => !present.has(id))).toEqual([]);
  expect(acked.length).toBeGreaterThan(0);
});
