// A cluster member with the test KV state machine, run as a child process by the cluster tests and
// bench:raft. The parent drives it over the IPC channel (see KvNodeRequest) and may kill -9 it at any time.
import * as path from 'node:path';
import type { ClusterNodeOptions } from '../cluster/cluster-node';
import { ClusterNode } from '../cluster/cluster-node';
import { jsonLogger, silentLogger } from '../node/logger';
import { encodeKvCommand, KvStateMachine } from './kv-state-machine';

/** Start-up options, passed as JSON in argv[2]. */
export interface KvNodeArgs {
  readonly id: number;
  readonly clusterId: string;
  readonly dataDir: string;
  readonly listen: string;
  readonly bootstrap?: boolean;
  readonly join?: string[];
  readonly checkpointEvery?: number;
  readonly tickMs?: number;
  /** Per-peer address overrides (a fault proxy): "peerId" → address. */
  readonly dial?: Record<string, string>;
  readonly verbose?: boolean;
  /** Program-specific options (see ProcessClusterOptions.extra). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export type KvNodeRequest =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | {
      readonly op: 'putMany';
      readonly prefix: string;
      readonly count: number;
      readonly concurrency: number;
      /** Size of each value (default: the key itself). */
      readonly valueBytes?: number;
    }
  | { readonly op: 'read'; readonly key: string }
  | { readonly op: 'dump' }
  | { readonly op: 'status' }
  /** Event-loop delay percentiles (ms) since the previous call. */
  | { readonly op: 'loopDelay' }
  | { readonly op: 'transfer'; readonly to: number }
  | { readonly op: 'remove'; readonly id: number }
  | { readonly op: 'stop' };

export interface KvNodeMessage {
  readonly seq: number;
  readonly req: KvNodeRequest;
}

export type KvNodeReply =
  | { readonly seq: number; readonly ok: true; readonly result: unknown }
  | {
      readonly seq: number;
      readonly ok: false;
      readonly error: { name: string; code: string; message: string; definite?: boolean };
    };

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as KvNodeArgs;
  const sm = new KvStateMachine(path.join(args.dataDir, 'kv'));
  const opts: ClusterNodeOptions = {
    id: args.id,
    clusterId: args.clusterId,
    dataDir: args.dataDir,
    listen: args.listen,
    stateMachine: sm,
    logger: args.verbose ? jsonLogger({ node: args.id }) : silentLogger,
    onFatal: () => process.exit(70),
    ...(args.bootstrap ? { bootstrap: true } : {}),
    ...(args.join ? { join: args.join } : {}),
    ...(args.checkpointEvery !== undefined ? { checkpointEvery: args.checkpointEvery } : {}),
    ...(args.tickMs !== undefined ? { tickMs: args.tickMs } : {}),
    ...(args.dial ? { dialAddress: (peer: number, address: string) => args.dial?.[String(peer)] ?? address } : {}),
  };
  const node = await ClusterNode.start(opts);
  const send = (m: unknown): void => {
    process.send?.(m);
  };

  const handle = async (req: KvNodeRequest): Promise<unknown> => {
    switch (req.op) {
      case 'put':
        return node.propose(encodeKvCommand({ op: 'put', key: req.key, value: req.value }));
      case 'putMany': {
        // `count` puts with `concurrency` in flight; reports which were acknowledged and which failed
        const acked: string[] = [];
        const failed: { key: string; definite: boolean; error: string }[] = [];
        const latencies: number[] = [];
        // encoded once: the benchmark measures Raft, not the proposer's text encoding
        const filler = req.valueBytes !== undefined ? new Uint8Array(req.valueBytes).fill(0x78) : undefined;
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < req.count) {
            const key = `${req.prefix}${next++}`;
            const t0 = performance.now();
            try {
              await node.propose(encodeKvCommand({ op: 'put', key, value: filler ?? key }));
              latencies.push(performance.now() - t0);
              acked.push(key);
            } catch (err) {
              const definite = (err as { definite?: unknown }).definite === true;
              failed.push({ key, definite, error: (err as Error).message });
            }
          }
        };
        const start = performance.now();
        await Promise.all(Array.from({ length: req.concurrency }, worker));
        const elapsedMs = performance.now() - start;
        latencies.sort((a, b) => a - b);
        const pct = (q: number): number =>
          latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
        return { acked, failed, elapsedMs, p50: pct(0.5), p99: pct(0.99) };
      }
      case 'read':
        await node.readIndex();
        return sm.get(req.key) ?? null;
      case 'dump':
        return { applied: node.raftNode.appliedIndex(), entries: sm.entries() };
      case 'status': {
        const s = node.status();
        return { ...s, lastContactMs: Object.fromEntries(s.lastContactMs), port: node.port };
      }
      case 'loopDelay':
        return node.eventLoopDelay(true);
      case 'transfer':
        return node.transferLeadership(req.to);
      case 'remove':
        return node.removeNode(req.id);
      case 'stop':
        await node.stop();
        setImmediate(() => process.exit(0));
        return null;
    }
  };

  process.on('message', (m: KvNodeMessage) => {
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
  send({ ready: true, port: node.port, address: node.advertisedAddress });
}

main().catch((err: unknown) => {
  console.error(err); // util.inspect: the stack of an Error, the fields of anything else
  process.exit(1);
});
