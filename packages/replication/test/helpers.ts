import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClusterNode, jsonLogger, silentLogger } from '@walraft/raft';
import type { GroupRequest, StatementResult } from '../src';
import { newToken, ReplicatedSqlite, SqliteError } from '../src';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined) or the timeout passes. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out: ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
    await sleep(25);
  }
}

export interface Member {
  readonly id: number;
  readonly dir: string;
  node: ClusterNode;
  sm: ReplicatedSqlite;
}

export interface StartOptions {
  checkpointEvery?: number;
  checkpointWalFrames?: number;
  requestTimeoutMs?: number;
  tokenRetentionMs?: number;
  idleTransactionMs?: number;
}

/** An in-process cluster of real nodes (gRPC on loopback, durable storage, writer threads). */
export class SqliteCluster {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-repl-'));
  readonly members = new Map<number, Member>();
  readonly clusterId = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  constructor(readonly opts: StartOptions = {}) {}

  async start(id: number, how: { bootstrap?: boolean; join?: number[] } = {}): Promise<Member> {
    const dir = path.join(this.root, `n${id}`);
    // WALRAFT_TEST_LOG=1 prints every node's log as JSON lines
    const logger = process.env.WALRAFT_TEST_LOG ? jsonLogger({ node: id }, true) : silentLogger;
    const sm = await ReplicatedSqlite.open({
      dir: path.join(dir, 'sqlite'),
      logger,
      ...(this.opts.checkpointWalFrames !== undefined ? { checkpointWalFrames: this.opts.checkpointWalFrames } : {}),
      ...(this.opts.tokenRetentionMs !== undefined ? { tokenRetentionMs: this.opts.tokenRetentionMs } : {}),
      ...(this.opts.idleTransactionMs !== undefined ? { idleTransactionMs: this.opts.idleTransactionMs } : {}),
    });
    const join = (how.join ?? []).map((j) => {
      const m = this.members.get(j);
      if (!m) throw new Error(`no node ${j}`);
      return m.node.advertisedAddress;
    });
    let node: ClusterNode;
    try {
      node = await ClusterNode.start({
        id,
        clusterId: this.clusterId,
        dataDir: path.join(dir, 'raft'),
        listen: '127.0.0.1:0',
        bootstrap: how.bootstrap ?? false,
        join,
        stateMachine: sm,
        onRoleChange: (s) => {
          sm.onRoleChange(s);
        },
        tickMs: 50,
        logger,
        onFatal: (err) => {
          logger.error('fatal', { error: err.stack ?? err.message });
        },
        checkpointEvery: this.opts.checkpointEvery ?? 10_000,
        requestTimeoutMs: this.opts.requestTimeoutMs ?? 5_000,
      });
    } catch (err) {
      await sm.close();
      throw err;
    }
    sm.attach(node);
    const m = { id, dir, node, sm };
    this.members.set(id, m);
    return m;
  }

  /** Node 1 bootstraps; the others join; resolves once all are voters. */
  async startAll(n: number): Promise<void> {
    await this.start(1, { bootstrap: true });
    for (let id = 2; id <= n; id++) await this.start(id, { join: [1] });
    await eventually(`${n} voters`, () => {
      const l = this.leaderOrUndefined();
      return l && l.node.status().conf.voters.length === n ? true : undefined;
    });
  }

  leaderOrUndefined(): Member | undefined {
    for (const m of this.members.values()) if (m.node.status().role === 'leader') return m;
    return undefined;
  }

  leader(): Promise<Member> {
    return eventually('a leader', () => this.leaderOrUndefined());
  }

  async stop(id: number): Promise<void> {
    const m = this.members.get(id);
    if (!m) return;
    this.members.delete(id);
    await m.node.close();
    await m.sm.close();
  }

  /** Waits until the leader committed its whole log and every member applied it; returns each one's page hash of `db`. */
  async converged(db: string, timeoutMs = 20_000): Promise<Map<number, string>> {
    return eventually(
      'replicas converge',
      () => {
        const l = this.leaderOrUndefined();
        if (!l) return undefined;
        const { commit, lastIndex } = l.node.status();
        // a leader just elected knows only the commit index it recovered until an entry of its term commits
        if (commit < lastIndex) return undefined;
        const all = [...this.members.values()];
        if (!all.every((m) => m.node.status().appliedIndex >= commit && m.sm.hasDatabase(db))) return undefined;
        const hashes = new Map(all.map((m) => [m.id, m.sm.database(db).pageHash()]));
        return new Set(hashes.values()).size === 1 ? hashes : undefined;
      },
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    for (const id of [...this.members.keys()]) await this.stop(id);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** One auto-commit request through the leader. */
export function request(sql: string, params?: unknown[], token: Uint8Array = newToken()): GroupRequest {
  return { token, statements: [{ sql, mode: 'run', ...(params ? { params } : {}) }] };
}

export async function write(
  m: Member,
  db: string,
  sql: string,
  params?: unknown[],
): Promise<readonly StatementResult[]> {
  return m.sm.write(db, request(sql, params));
}

/** Writes through whichever node leads, retrying definite failures (nothing was committed) like a client. */
export async function writeAnywhere(
  c: SqliteCluster,
  db: string,
  req: () => GroupRequest,
  timeoutMs = 30_000,
): Promise<readonly StatementResult[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const l = await c.leader();
    try {
      return await l.sm.write(db, req());
    } catch (err) {
      if ((err as { definite?: unknown }).definite !== true || err instanceof SqliteError || Date.now() > deadline) {
        throw err;
      }
      await sleep(50);
    }
  }
}

/** Deterministic PRNG (mulberry32): a failing run names its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
