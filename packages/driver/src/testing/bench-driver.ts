// `npm run bench:driver [-- --seconds S]`: commits/s and linearizable reads/s through the walraft driver on
// three local node processes — embedded (the workload runs inside a node process) and remote (clients in
// this process over gRPC), on the leader and on a follower, with 1 and 64 clients.
import * as path from 'node:path';
import { ProcessCluster } from '@walraft/raft';
import type { Client, Database } from '../index';
import { connect } from '../index';
import type { WorkloadResult, WorkloadSpec } from './workload';
import { runOnHandles, value1k } from './workload';

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 3;
const clusterId = 'bench';

interface Row {
  readonly workload: string;
  readonly where: string;
  readonly mode: string;
  readonly clients: number;
  readonly r: WorkloadResult;
}

async function main(): Promise<void> {
  const c = new ProcessCluster({ script: path.join(__dirname, 'node-main.js'), clusterId });
  const clients: Client[] = [];
  const rows: Row[] = [];
  try {
    await c.start(1, { bootstrap: true });
    await c.start(2, { join: [1] });
    await c.start(3, { join: [1] });
    const leader = await c.leader();
    const follower = [1, 2, 3].find((id) => id !== leader) ?? 0;
    const setup = await connect([c.address(leader)], { clusterId });
    clients.push(setup);
    const db = await setup.open('bench.db');
    await db.exec('CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB)');
    await db.batch(
      Array.from({ length: 1000 }, (_, i) => ({
        sql: 'INSERT INTO kv (k, v) VALUES (?, ?)',
        params: [`k${i}`, value1k],
      })),
    );
    const remoteHandles = async (node: number, n: number): Promise<Database[]> => {
      const out: Database[] = [];
      for (let i = 0; i < n; i++) {
        const cl = await connect([c.address(node)], { clusterId });
        clients.push(cl);
        out.push(await cl.open('bench.db'));
      }
      return out;
    };
    for (const kind of ['write', 'read'] as const) {
      for (const [where, node] of [
        ['leader', leader],
        ['follower', follower],
      ] as const) {
        for (const n of [1, 64]) {
          const spec: WorkloadSpec = { db: 'bench.db', kind, clients: n, seconds, consistency: 'linearizable' };
          const embedded = await c.request<WorkloadResult>(node, { op: 'bench', ...spec });
          rows.push({ workload: kind, where, mode: 'embedded', clients: n, r: embedded });
          const remote = await runOnHandles(await remoteHandles(node, n), spec);
          rows.push({ workload: kind, where, mode: 'remote', clients: n, r: remote });
          for (const cl of clients.splice(1)) await cl.close();
          const last = rows.slice(-2);
          for (const x of last) {
            console.error(
              `${x.workload} ${x.where} ${x.mode} ${x.clients}: ${x.r.opsPerSec.toFixed(0)}/s p99 ${x.r.p99Ms.toFixed(1)} ms`,
            );
          }
        }
      }
    }
  } finally {
    for (const cl of clients) await cl.close();
    await c.close({ graceful: true });
  }
  out(
    `\nwalraft driver, 3 local node processes, ${seconds} s per cell (writes: 1 KiB kv upserts; reads: linearizable point reads)\n`,
  );
  out('| workload | node | access | clients | ops/s | p50 ms | p99 ms | errors |');
  out('|---|---|---|---:|---:|---:|---:|---:|');
  for (const x of rows) {
    out(
      `| ${x.workload === 'write' ? 'commits' : 'linearizable reads'} | ${x.where} | ${x.mode} | ${x.clients} | ${x.r.opsPerSec.toFixed(0)} | ${x.r.p50Ms.toFixed(2)} | ${x.r.p99Ms.toFixed(2)} | ${x.r.errors} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
