import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Node, NodeOptions } from '../src';
import { startNode } from '../src';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a value other than undefined. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Embedded nodes of one cluster in this process, each in its own data dir under one temp dir. */
export class EmbeddedCluster {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-driver-'));
  readonly nodes = new Map<number, Node>();

  constructor(private readonly extra: Partial<NodeOptions> = {}) {}

  dataDir(id: number): string {
    return path.join(this.root, `n${id}`);
  }

  node(id: number): Node {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`node ${id} is not running`);
    return n;
  }

  async start(id: number, how: Partial<NodeOptions> = {}): Promise<Node> {
    const n = await startNode({
      id,
      dataDir: this.dataDir(id),
      listen: '127.0.0.1:0',
      ...this.extra,
      ...how,
    });
    this.nodes.set(id, n);
    return n;
  }

  /** Bootstraps node 1 and joins the others; resolves once all are voters. */
  async bootstrap(size: number): Promise<void> {
    const first = await this.start(1, { bootstrap: true });
    for (let id = 2; id <= size; id++) await this.start(id, { join: [first.address] });
    await eventually('every node a voter', () =>
      Promise.resolve(first.status().conf.voters.length === size ? true : undefined),
    );
    await first.waitForLeader();
  }

  async leader(except?: number): Promise<Node> {
    return eventually('a leader', () =>
      Promise.resolve([...this.nodes.values()].find((n) => n.id !== except && n.status().role === 'leader')),
    );
  }

  async follower(): Promise<Node> {
    const lead = await this.leader();
    const f = [...this.nodes.values()].find((n) => n.id !== lead.id);
    if (!f) throw new Error('no follower');
    return f;
  }

  async stop(id: number): Promise<void> {
    await this.nodes.get(id)?.close();
    this.nodes.delete(id);
  }

  async close(): Promise<void> {
    for (const n of this.nodes.values()) await n.close();
    this.nodes.clear();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
