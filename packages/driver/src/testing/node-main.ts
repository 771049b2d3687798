// A walraft node (startNode) as a child process, for the failover tests: ProcessCluster starts it with this
// script, clients reach it over gRPC, and the test may kill -9 it at any time. IPC answers `status`/`stop`.
import { randomBytes } from 'node:crypto';
import type { KvNodeArgs } from '@walraft/raft';
import type { Database } from '../database';
import { jsonLogger, silentLogger } from '@walraft/raft';
import { startNode } from '../node';
import type { WorkloadSpec } from './workload';
import { runWorkload } from './workload';

type Request =
  | { readonly op: 'status' }
  | { readonly op: 'stop' }
  /** Runs a workload on this node's embedded database (see bench-driver). */
  | ({ readonly op: 'bench' } & WorkloadSpec)
  /** Event-loop delay percentiles since the last call. */
  | { readonly op: 'loopDelay' }
  /** CPU time and peak RSS of this process so far. */
  | { readonly op: 'usage' }
  /** Adds about `mb` MB to table `fill` of `db` in transactions of `txMb` MB (rows of 64 KiB). */
  | { readonly op: 'fill'; readonly db: string; readonly mb: number; readonly txMb?: number };
interface Message {
  readonly seq: number;
  readonly req: Request;
}

function send(m: unknown): void {
  if (process.send) process.send(m);
}

/** Random (incompressible) 64 KiB rows until about `mb` MB were added. */
async function fill(db: Database, mb: number, txMb: number): Promise<{ rows: number }> {
  await db.exec('CREATE TABLE IF NOT EXISTS fill (id INTEGER PRIMARY KEY, v BLOB)');
  const rowsPerTx = Math.max(1, Math.round((txMb * 1024) / 64));
  const total = Math.ceil((mb * 1024) / 64);
  for (let done = 0; done < total; done += rowsPerTx) {
    const n = Math.min(rowsPerTx, total - done);
    await db.batch(
      Array.from({ length: n }, () => ({ sql: 'INSERT INTO fill (v) VALUES (?)', params: [randomBytes(65536)] })),
    );
  }
  return { rows: total };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as KvNodeArgs;
  const dial = args.dial;
  const node = await startNode({
    id: args.id,
    clusterId: args.clusterId,
    dataDir: args.dataDir,
    listen: args.listen,
    ...(args.bootstrap ? { bootstrap: true } : {}),
    ...(args.join ? { join: args.join } : {}),
    ...(args.tickMs !== undefined ? { tickMs: args.tickMs } : {}),
    ...(args.checkpointEvery !== undefined ? { snapshotEvery: args.checkpointEvery } : {}),
    ...(dial ? { dialAddress: (peer: number, address: string) => dial[String(peer)] ?? address } : {}),
    logger: args.verbose ? jsonLogger({ node: args.id }) : silentLogger,
  });
  const handle = async (req: Request): Promise<unknown> => {
    switch (req.op) {
      case 'status': {
        const s = node.status();
        return {
          role: s.role,
          lead: s.lead,
          term: s.term,
          commit: s.commit,
          applied: s.appliedIndex,
          voters: s.conf.voters.length,
        };
      }
      case 'bench':
        return runWorkload(await node.open(req.db), req);
      case 'loopDelay':
        return node.eventLoopDelay(true);
      case 'usage': {
        const u = process.resourceUsage();
        const m = process.memoryUsage();
        const mb = (b: number): number => Math.round(b / 2 ** 20);
        return {
          cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000,
          maxRssMb: u.maxRSS / 1024,
          memory: {
            rss: mb(m.rss),
            heapUsed: mb(m.heapUsed),
            external: mb(m.external),
            arrayBuffers: mb(m.arrayBuffers),
          },
        };
      }
      case 'fill':
        return fill(await node.open(req.db), req.mb, req.txMb ?? 4);
      case 'stop':
        await node.close();
        setImmediate(() => process.exit(0));
        return null;
    }
  };
  process.on('message', (m: Message) => {
    handle(m.req).then(
      (result) => {
        send({ seq: m.seq, ok: true, result });
      },
      (err: unknown) => {
        const e = err as Error & { code?: unknown };
        send({
          seq: m.seq,
          ok: false,
          error: { name: e.name, code: typeof e.code === 'string' ? e.code : 'ERROR', message: e.message },
        });
      },
    );
  });
  process.on('disconnect', () => {
    void node.close().then(() => process.exit(0));
  });
  const [, port = '0'] = node.address.split(':');
  send({ ready: true, port: Number(port), address: node.address });
}

main().catch((err: unknown) => {
  console.error(err); // util.inspect: the stack of an Error, the fields of anything else
  process.exit(1);
});
