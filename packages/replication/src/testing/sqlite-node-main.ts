// A cluster member with the replicated SQLite state machine, run as a child process by the crash tests
// (ProcessCluster with this script). The parent drives it over IPC and may kill -9 it at any time.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { ClusterNodeOptions, KvNodeArgs } from '@walraft/raft';
import { ClusterNode, jsonLogger, silentLogger } from '@walraft/raft';
import { ReplicatedSqlite } from '../replicated-sqlite';
import { newToken } from '../tokens';

export type SqliteNodeRequest =
  | { readonly op: 'status' }
  | { readonly op: 'createDatabase'; readonly db: string }
  | { readonly op: 'exec'; readonly db: string; readonly sql: string }
  /** Inserts one value with the caller's token (hex). */
  | {
      readonly op: 'insert';
      readonly db: string;
      readonly table: string;
      readonly value: string;
      readonly token: string;
    }
  /** kv writes (32-byte key, 1 KiB value) by `writers` concurrent writers for `seconds`. */
  | { readonly op: 'bench'; readonly db: string; readonly writers: number; readonly seconds: number }
  /** Grows the database by about `megabytes` MB in transactions of about 8 MB. */
  | { readonly op: 'fill'; readonly db: string; readonly megabytes: number }
  | { readonly op: 'recover'; readonly db: string; readonly tokens: readonly string[] }
  /** Every value of a table, with the applied index and the page hash. */
  | { readonly op: 'dump'; readonly db: string; readonly table: string }
  | { readonly op: 'stop' };

export interface DumpResult {
  readonly applied: number;
  readonly values: string[];
  readonly hash: string;
  readonly integrity: string;
}

export interface BenchResult {
  readonly commits: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly p50: number;
  readonly p99: number;
}

async function bench(sm: ReplicatedSqlite, db: string, writers: number, seconds: number): Promise<BenchResult> {
  const value = Buffer.alloc(1024, 7);
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  const writer = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await sm.write(db, {
          token: newToken(),
          statements: [
            { sql: 'INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)', params: [randomBytes(32), value], mode: 'run' },
          ],
        });
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  const elapsedMs = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const pct = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { commits: latencies.length, errors, elapsedMs, p50: pct(0.5), p99: pct(0.99) };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as KvNodeArgs;
  const extra = args.extra ?? {};
  const checkpointWalFrames = typeof extra.checkpointWalFrames === 'number' ? extra.checkpointWalFrames : undefined;
  const logger = args.verbose ? jsonLogger({ node: args.id }) : silentLogger;
  const sm = await ReplicatedSqlite.open({
    dir: path.join(args.dataDir, 'sqlite'),
    logger,
    ...(checkpointWalFrames !== undefined ? { checkpointWalFrames } : {}),
  });
  const opts: ClusterNodeOptions = {
    id: args.id,
    clusterId: args.clusterId,
    dataDir: path.join(args.dataDir, 'raft'),
    listen: args.listen,
    stateMachine: sm,
    onRoleChange: (s) => {
      sm.onRoleChange(s);
    },
    logger,
    onFatal: () => process.exit(70),
    requestTimeoutMs: 5_000,
    ...(args.bootstrap ? { bootstrap: true } : {}),
    ...(args.join ? { join: args.join } : {}),
    ...(args.checkpointEvery !== undefined ? { checkpointEvery: args.checkpointEvery } : {}),
    ...(args.tickMs !== undefined ? { tickMs: args.tickMs } : {}),
    ...(args.dial ? { dialAddress: (peer: number, address: string) => args.dial?.[String(peer)] ?? address } : {}),
  };
  const node = await ClusterNode.start(opts);
  sm.attach(node);
  const send = (m: unknown): void => {
    process.send?.(m);
  };

  const handle = async (req: SqliteNodeRequest): Promise<unknown> => {
    switch (req.op) {
      case 'status': {
        const s = node.status();
        return { ...s, lastContactMs: Object.fromEntries(s.lastContactMs), port: node.port };
      }
      case 'createDatabase':
        await sm.createDatabase(req.db);
        return null;
      case 'exec':
        await sm.write(req.db, { token: newToken(), statements: [{ sql: req.sql, mode: 'exec' }] });
        return null;
      case 'insert':
        await sm.write(req.db, {
          token: Buffer.from(req.token, 'hex'),
          statements: [{ sql: `INSERT INTO ${req.table} (v) VALUES (?)`, params: [req.value], mode: 'run' }],
        });
        return null;
      case 'bench':
        return bench(sm, req.db, req.writers, req.seconds);
      case 'fill': {
        const perTx = 8 << 20;
        const rows = 64;
        for (let done = 0; done < req.megabytes * 1e6; done += perTx) {
          await sm.write(req.db, {
            token: newToken(),
            statements: [
              {
                sql: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) INSERT INTO fill (b) SELECT randomblob(?) FROM n`,
                params: [Math.floor(perTx / rows)],
                mode: 'run',
              },
            ],
          });
        }
        return sm.database(req.db).reader().pragma('page_count', { simple: true });
      }
      case 'recover': {
        const r: Record<string, boolean> = {};
        for (const t of req.tokens) r[t] = await sm.recover(req.db, Buffer.from(t, 'hex'));
        return r;
      }
      case 'dump': {
        const d = sm.database(req.db);
        const db = d.reader();
        const rows = db.prepare(`SELECT v FROM ${req.table} ORDER BY v`).all() as { v: string }[];
        const result: DumpResult = {
          applied: node.raftNode.appliedIndex(),
          values: rows.map((r) => r.v),
          hash: d.pageHash(),
          integrity: db.pragma('integrity_check', { simple: true }) as string,
        };
        return result;
      }
      case 'stop':
        await node.stop();
        await sm.close();
        setImmediate(() => process.exit(0));
        return null;
    }
  };

  process.on('message', (m: { seq: number; req: SqliteNodeRequest }) => {
    handle(m.req).then(
      (result) => {
        send({ seq: m.seq, ok: true, result });
      },
      (err: unknown) => {
        const e = err as Error & { code?: unknown; definite?: unknown };
        send({
          seq: m.seq,
          ok: false,
          error: {
            name: e.name,
            code: typeof e.code === 'string' ? e.code : 'ERROR',
            message: e.message,
            definite: e.definite === true,
          },
        });
      },
    );
  });
  process.on('disconnect', () => {
    void node
      .close()
      .then(() => sm.close())
      .then(() => process.exit(0));
  });
  send({ ready: true, port: node.port, address: node.advertisedAddress });
}

main().catch((err: unknown) => {
  console.error(err); // util.inspect: the stack of an Error, the fields of anything else
  process.exit(1);
});
