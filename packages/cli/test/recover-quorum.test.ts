import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Running } from './helpers';
import { run, sleep, startNode } from './helpers';

jest.setTimeout(120_000);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-recover-'));
const nodes = new Map<number, Running>();

afterAll(async () => {
  for (const n of nodes.values()) n.child.kill('SIGKILL');
  await Promise.all([...nodes.values()].map((n) => n.exited));
  fs.rmSync(root, { recursive: true, force: true });
});

async function shell(cluster: string, sql: string): Promise<unknown[]> {
  const r = await run(['shell', '--cluster', cluster, '--db', 'app.db', '--json', '-e', sql]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '[]') as unknown[];
}

it('recovers a cluster that lost two of three nodes for good, keeping every acknowledged write', async () => {
  const first = await startNode(root, nodes, 1, ['--bootstrap']);
  const second = await startNode(root, nodes, 2, ['--join', first.address]);
  const third = await startNode(root, nodes, 3, ['--join', first.address]);
  const all = [first, second, third].map((n) => n.address).join(',');
  await shell(all, 'CREATE TABLE t (v INTEGER)');
  for (let i = 0; i < 20; i++) await shell(all, `INSERT INTO t VALUES (${i})`);
  // nodes 2 and 3 are lost for good; node 1 alone cannot commit anything
  for (const n of [second, third]) n.child.kill('SIGKILL');
  await Promise.all([second.exited, third.exited]);
  first.child.kill('SIGKILL');
  await first.exited;
  nodes.clear();

  const dry = await run([
    'recover-quorum',
    '--data',
    path.join(root, 'n1'),
    '--members',
    `1=${first.address}`,
    '--dry-run',
    '--json',
  ]);
  expect(dry.stderr).toBe('');
  const report = JSON.parse(dry.stdout) as {
    before: { voters: number[] };
    after: { voters: number[] };
    lastIndex: number;
  };
  expect(report.before.voters.sort()).toEqual([1, 2, 3]);
  expect(report.after.voters).toEqual([1]);
  const bad = await run(['recover-quorum', '--data', path.join(root, 'n1'), '--members', `2=${second.address}`]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/must include this node \(1\)/);

  const r = await run(['recover-quorum', '--data', path.join(root, 'n1'), '--members', `1=${first.address}`]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/recovered: 2 membership change/);

  // restarted, node 1 is the whole cluster: it elects itself and still holds every acknowledged write
  const back = await startNode(root, nodes, 1, []);
  let rows: unknown[] = [];
  for (let i = 0; i < 100 && rows.length === 0; i++) {
    rows = await shell(back.address, 'SELECT count(*) AS n, sum(v) AS s FROM t').catch(() => []);
    if (rows.length === 0) await sleep(200);
  }
  expect(rows).toEqual([{ n: 20, s: 190 }]);
  await shell(back.address, 'INSERT INTO t VALUES (100)');
  // a fresh node joins the recovered cluster and catches up; the removed ids stay retired
  const fresh = await startNode(root, nodes, 4, ['--join', back.address]);
  expect(await shell(fresh.address, 'SELECT count(*) AS n FROM t')).toEqual([{ n: 21 }]);
  const status = JSON.parse((await run(['status', '--cluster', back.address, '--json'])).stdout) as {
    members: { id: number }[];
  };
  expect(status.members.map((m) => m.id).sort()).toEqual([1, 4]);
  const reuse = await run(['add', '--cluster', back.address, '--id', '2', '--address', second.address]);
  expect(reuse.code).toBe(1);
});
