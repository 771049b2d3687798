// Cluster tests drive real node processes built by `tsc -b` (npm test builds first).
import type { FaultProxy } from '../../dist/testing/fault-proxy';
import { ProcessCluster } from '../../dist/testing/process-cluster';

export { ProcessCluster };

export interface PutManyResult {
  acked: string[];
  failed: { key: string; definite: boolean; error: string }[];
}

export interface Dump {
  applied: number;
  entries: [string, string][];
}

export interface StatusView {
  id: number;
  role: string;
  term: number;
  lead: number;
  commit: number;
  lastIndex: number;
  appliedIndex: number;
  snapshotIndex: number;
  conf: { voters: number[]; learners: number[] };
  members: { id: number; address: string; voter: boolean }[];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined) or the timeout passes. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
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
    await sleep(50);
  }
}

/** Starts node 1 with bootstrap and the others by joining; resolves once all are voters. */
export async function startCluster(c: ProcessCluster, n: number): Promise<void> {
  await c.start(1, { bootstrap: true });
  for (let id = 2; id <= n; id++) await c.start(id, { join: [1] });
  await eventually(`${n} voters`, async () => {
    const lead = await c.leader();
    const s = await c.request<StatusView>(lead, { op: 'status' });
    return s.conf.voters.length === n ? true : undefined;
  });
}

/**
 * Waits until every running node has applied the same index and returns their dumps. The leader must have
 * committed its whole log first: a leader just elected after a restart knows only the commit index it
 * recovered, which can be older than what the previous leader acknowledged; until an entry of its own term
 * commits, every replica can agree on a state that still lacks acknowledged writes.
 */
export async function converged(c: ProcessCluster, timeoutMs = 20_000): Promise<Dump[]> {
  return eventually(
    'replicas converge',
    async () => {
      const lead = await c.leader();
      const ls = await c.request<StatusView>(lead, { op: 'status' });
      if (ls.commit < ls.lastIndex) return undefined;
      const dumps = await Promise.all(c.running().map((id) => c.request<Dump>(id, { op: 'dump' })));
      return dumps.every((d) => d.applied >= ls.commit) &&
        dumps.every((d) => JSON.stringify(d.entries) === JSON.stringify(dumps[0]?.entries))
        ? dumps
        : undefined;
    },
    timeoutMs,
  );
}

/** Every acknowledged key is present in the dump. */
export function missing(acked: readonly string[], dump: Dump): string[] {
  const have = new Set(dump.entries.map(([k]) => k));
  return acked.filter((k) => !have.has(k));
}

/**
 * A client outside the nodes: `concurrency` loops putting unique keys to whichever node leads, recording
 * each acknowledged key (and each key whose outcome is unknown because its node died or timed out).
 */
export class Writer {
  readonly acked: string[] = [];
  readonly unknown: string[] = [];
  private running = true;
  private readonly loops: Promise<void>[];
  private leader = 0;
  private next = 0;

  constructor(
    private readonly c: ProcessCluster,
    private readonly prefix: string,
    concurrency: number,
  ) {
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.leader === 0 || !this.c.isRunning(this.leader)) {
        this.leader = await this.c.leader(30_000).catch(() => 0);
        if (this.leader === 0) continue;
      }
      const key = `${this.prefix}${this.next++}`;
      try {
        await this.c.request(this.leader, { op: 'put', key, value: key });
        this.acked.push(key);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'RAFT_NOT_LEADER' || code === 'RAFT_PROPOSAL_REJECTED' || code === 'NOT_RUNNING') {
          this.leader = 0; // definitely not committed
        } else {
          this.unknown.push(key);
          this.leader = 0;
          await sleep(20);
        }
      }
    }
  }
}

/** Restarts `ids` so that every node reaches every other through its own link of `proxy`. */
export async function throughProxy(c: ProcessCluster, proxy: FaultProxy, ids: readonly number[]): Promise<void> {
  await Promise.all(ids.map((id) => c.kill(id)));
  for (const from of ids) {
    const dial: Record<string, string> = {};
    for (const to of ids) {
      if (to === from) continue;
      const [host = '', port = ''] = c.address(to).split(':');
      const link = await proxy.link(from, to, { host, port: Number(port) });
      dial[String(to)] = `${link.host}:${link.port}`;
    }
    await c.start(from, { dial });
  }
}
