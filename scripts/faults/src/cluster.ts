// A cluster of `walraft start` processes on loopback whose node-to-node traffic (Raft and forwarding) all
// runs through one fault proxy, so that any directed pair of nodes can be cut, delayed or made lossy.
// Clients reach the nodes directly. Node ids are never reused: a member the nemesis adds gets a fresh id,
// and the proxy has links ready for a few spare ids from the start (every node is told at start-up, with
// --dial, to reach every other id through its link).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostPort } from '@walraft/raft';
import { FaultProxy } from '@walraft/raft';
import type { NodeHttpStatus } from '@walraft/cli';
import { NodeProcess } from '@walraft/cli';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface FaultClusterOptions {
  readonly dir: string;
  readonly nodes: number;
  /** Ids beyond the initial members that the member nemesis may add. */
  readonly spareIds: number;
  readonly clusterId: string;
  readonly random: () => number;
  /** Node.js flags for every node process (the disk fault hook). */
  readonly execArgv?: readonly string[];
}

export class FaultCluster {
  readonly proxy: FaultProxy;
  readonly clusterId: string;
  /** Every node process ever started, by id (removed members stay here, stopped). */
  readonly nodes = new Map<number, NodeProcess>();
  /** Ids that are members now (as far as the nemesis has changed them). */
  readonly members = new Set<number>();
  readonly maxId: number;
  readonly initialSize: number;
  #nextId: number;
  #dial = new Map<number, string>();

  constructor(private readonly o: FaultClusterOptions) {
    this.proxy = new FaultProxy({ random: o.random });
    this.clusterId = o.clusterId;
    this.maxId = o.nodes + o.spareIds;
    this.initialSize = o.nodes;
    this.#nextId = o.nodes + 1;
  }

  /** Creates the proxy links, bootstraps node 1 and joins the others; resolves once all are voters. */
  async start(): Promise<void> {
    const target = (id: number) => (): HostPort | undefined => {
      const n = this.nodes.get(id);
      if (!n?.address) return undefined;
      const i = n.address.lastIndexOf(':');
      return { host: n.address.slice(0, i), port: Number(n.address.slice(i + 1)) };
    };
    for (let from = 1; from <= this.maxId; from++) {
      const dial: string[] = [];
      for (let to = 1; to <= this.maxId; to++) {
        if (to === from) continue;
        const link = await this.proxy.link(from, to, target(to));
        dial.push(`${to}=${link.host}:${link.port}`);
      }
      this.#dial.set(from, dial.join(','));
    }
    await this.startNew(1, ['--bootstrap']);
    const joining: Promise<NodeProcess>[] = [];
    for (let id = 2; id <= this.o.nodes; id++) joining.push(this.startNew(id, ['--join', this.address(1)]));
    await Promise.all(joining);
    await this.waitFor('every node a voter', async () => {
      const s = await this.leaderStatus();
      return s?.members.filter((m) => m.voter).length === this.o.nodes;
    });
  }

  /** Starts a node that was never started (bootstrap, or --join through members). */
  async startNew(id: number, flags: string[]): Promise<NodeProcess> {
    const n = new NodeProcess({
      id,
      dataDir: path.join(this.o.dir, `n${id}`),
      logFile: path.join(this.o.dir, `n${id}.log`),
      ...(this.o.execArgv ? { execArgv: this.o.execArgv } : {}),
    });
    this.nodes.set(id, n);
    this.members.add(id);
    await n.start([...flags, '--cluster-id', this.clusterId, '--dial', this.#dial.get(id) ?? '']);
    return n;
  }

  /** Restarts a stopped member on its data dir. */
  async restart(id: number): Promise<void> {
    const n = this.node(id);
    if (n.running) return;
    await n.start(['--cluster-id', this.clusterId, '--dial', this.#dial.get(id) ?? '']);
  }

  /** A fresh id for a member to add, or undefined when the spare ids are used up. */
  takeId(): number | undefined {
    return this.#nextId <= this.maxId ? this.#nextId++ : undefined;
  }

  spareLeft(): number {
    return this.maxId - this.#nextId + 1;
  }

  node(id: number): NodeProcess {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  address(id: number): string {
    return this.node(id).address;
  }

  /** Client addresses of the current members. */
  memberAddresses(): string[] {
    return [...this.members].map((id) => this.address(id));
  }

  memberIds(): number[] {
    return [...this.members].sort((a, b) => a - b);
  }

  /** The status of the node that says it leads in the highest term, if any answers. */
  async leaderStatus(): Promise<NodeHttpStatus | undefined> {
    const all = await Promise.all(this.memberIds().map((id) => this.node(id).status()));
    return all.filter((s): s is NodeHttpStatus => s?.role === 'leader').sort((a, b) => b.term - a.term)[0];
  }

  async leader(): Promise<number | undefined> {
    return (await this.leaderStatus())?.leader;
  }

  /** Undoes every fault: heals the network, resumes paused nodes, restarts stopped members. */
  async heal(): Promise<void> {
    this.proxy.healAll();
    for (const id of this.members) this.node(id).resume();
    for (const id of this.members) if (!this.node(id).running) await this.restart(id);
  }

  async waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!(await fn().catch(() => false))) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  /** Kills every process and closes the proxy (the data dir is the caller's). */
  async close(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.kill()));
    await this.proxy.close();
  }

  /** Node log files, for the scan after the run. */
  logFiles(): string[] {
    return [...this.nodes.values()].map((n) => n.logFile).filter((f) => fs.existsSync(f));
  }
}
