import * as path from 'node:path';
import { ProcessCluster } from '@walraft/raft';
import type { Client, Database } from 'walraft';
import { connect } from 'walraft';

/** The driver's node program (startNode in a child process; embedded workloads run inside it). */
const nodeScript = path.join(path.dirname(require.resolve('walraft')), 'testing', 'node-main.js');
export const clusterId = 'bench';

export interface NodeStatus {
  role: string;
  lead: number;
  term: number;
  commit: number;
  applied: number;
  voters: number;
}

export interface Usage {
  cpuMs: number;
  maxRssMb: number;
}

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** Three (or more) walraft node processes on loopback, with their resource usage at hand. */
export class BenchCluster {
  readonly c: ProcessCluster;

  constructor(snapshotEvery?: number) {
    this.c = new ProcessCluster({
      script: nodeScript,
      clusterId,
      ...(snapshotEvery !== undefined ? { checkpointEvery: snapshotEvery } : {}),
    });
  }

  async start(size = 3): Promise<void> {
    await this.c.start(1, { bootstrap: true });
    await Promise.all(Array.from({ length: size - 1 }, (_, i) => this.c.start(i + 2, { join: [1] })));
    await this.until(async () => (await this.status(await this.c.leader())).voters === size);
  }

  status(id: number): Promise<NodeStatus> {
    return this.c.request<NodeStatus>(id, { op: 'status' });
  }

  usage(id: number): Promise<Usage> {
    return this.c.request<Usage>(id, { op: 'usage' });
  }

  loopDelay(id: number): Promise<LoopDelay> {
    return this.c.request<LoopDelay>(id, { op: 'loopDelay' });
  }

  async leader(): Promise<number> {
    return this.c.leader();
  }

  async follower(): Promise<number> {
    const lead = await this.leader();
    const f = this.c.running().find((id) => id !== lead);
    if (f === undefined) throw new Error('no follower');
    return f;
  }

  /** Remote clients attached to `node` (reads there; writes go to the leader). */
  async clients(node: number, n: number): Promise<Client[]> {
    const out: Client[] = [];
    const others = this.c.running().filter((id) => id !== node);
    for (let i = 0; i < n; i++) {
      out.push(await connect([this.c.address(node), ...others.map((id) => this.c.address(id))], { clusterId }));
    }
    return out;
  }

  /** Resolves once every running node has applied what the leader has committed. */
  async caughtUp(): Promise<void> {
    const lead = await this.leader();
    const target = (await this.status(lead)).commit;
    await this.until(async () => {
      const all = await Promise.all(this.c.running().map((id) => this.status(id)));
      return all.every((s) => s.applied >= target);
    });
  }

  async until(fn: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!(await fn().catch(() => false))) {
      if (performance.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): Promise<void> {
    return this.c.close({ graceful: true });
  }
}

/** `n` handles spread over `clients` (a handle is stateless; requests multiplex on the client's stream). */
export async function handles(clients: readonly Client[], n: number, db: string): Promise<Database[]> {
  const opened = await Promise.all(clients.map((c) => c.open(db)));
  return Array.from({ length: n }, (_, i) => opened[i % opened.length] as Database);
}
