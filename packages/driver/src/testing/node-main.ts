// A walraft node (startNode) as a child process, for the failover tests: ProcessCluster starts it with this
// script, clients reach it over gRPC, and the test may kill -9 it at any time. IPC answers `status`/`stop`.
import type { KvNodeArgs } from '@walraft/raft';
import { jsonLogger, silentLogger } from '@walraft/raft';
import { startNode } from '../node';
import type { WorkloadSpec } from './workload';
import { runWorkload } from './workload';

type Request =
  | { readonly op: 'status' }
  | { readonly op: 'stop' }
  /** Runs a workload on this node's embedded database (see bench-driver). */
  | ({ readonly op: 'bench' } & WorkloadSpec);
interface Message {
  readonly seq: number;
  readonly req: Request;
}

function send(m: unknown): void {
  if (process.send) process.send(m);
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
    ...(dial ? { dialAddress: (peer: number, address: string) => dial[String(peer)] ?? address } : {}),
    logger: args.verbose ? jsonLogger({ node: args.id }) : silentLogger,
  });
  const handle = async (req: Request): Promise<unknown> => {
    switch (req.op) {
      case 'status': {
        const s = node.status();
        return { role: s.role, lead: s.lead, term: s.term, commit: s.commit, applied: s.appliedIndex };
      }
      case 'bench':
        return runWorkload(await node.open(req.db), req);
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
  console.error((err as Error).stack ?? String(err));
  process.exit(1);
});
