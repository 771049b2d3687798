import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KvNodeArgs, KvNodeReply, KvNodeRequest } from './kv-node-main';

/** A request to a node process failed; carries the remote error's name and code. */
export class NodeProcessError extends Error {
  constructor(
    readonly remoteName: string,
    readonly code: string,
    message: string,
    /** The remote error said the operation certainly did not take effect. */
    readonly definite = false,
  ) {
    super(message);
    this.name = 'NodeProcessError';
  }
}

interface Running {
  readonly child: ChildProcess;
  readonly pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
  readonly exited: Promise<number | null>;
  port: number;
  address: string;
}

export interface ProcessClusterOptions {
  readonly clusterId?: string;
  readonly checkpointEvery?: number;
  readonly tickMs?: number;
  readonly verbose?: boolean;
  /** Extra node flags for the node processes, e.g. ['--cpu-prof']; default from WALRAFT_NODE_FLAGS. */
  readonly execArgv?: readonly string[];
  /**
   * The node program (default: the test KV node). Another program takes the same JSON arguments (plus
   * `extra`), speaks the same IPC protocol and answers at least `status`.
   */
  readonly script?: string;
  /** Passed to the node program as `extra` in its arguments. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * Test KV cluster members as child processes (kill -9 able), each on a loopback port picked by the OS and
 * kept across restarts, with data under one temp dir that close() removes.
 */
export class ProcessCluster {
  readonly dir: string;
  readonly clusterId: string;
  private readonly o: ProcessClusterOptions;
  private readonly nodes = new Map<number, Running>();
  private readonly addresses = new Map<number, string>();
  private readonly dials = new Map<number, Record<string, string>>();
  private seq = 0;

  constructor(o: ProcessClusterOptions = {}) {
    this.o = o;
    this.clusterId = o.clusterId ?? 'test-cluster';
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-cluster-'));
  }

  /** Starts node `id`: bootstrap the cluster, join through the given members, or restart from its data. */
  async start(
    id: number,
    how: { bootstrap?: boolean; join?: number[]; clusterId?: string; dial?: Record<string, string> } = {},
  ): Promise<void> {
    if (this.nodes.has(id)) throw new Error(`node ${id} is running`);
    if (how.dial) this.dials.set(id, how.dial);
    const dial = this.dials.get(id);
    const args: KvNodeArgs = {
      id,
      clusterId: how.clusterId ?? this.clusterId,
      dataDir: this.dataDir(id),
      listen: this.addresses.get(id) ?? '127.0.0.1:0',
      ...(how.bootstrap ? { bootstrap: true } : {}),
      ...(how.join ? { join: how.join.map((j) => this.address(j)) } : {}),
      ...(this.o.checkpointEvery !== undefined ? { checkpointEvery: this.o.checkpointEvery } : {}),
      ...(this.o.tickMs !== undefined ? { tickMs: this.o.tickMs } : {}),
      ...(dial ? { dial } : {}),
      ...(this.o.verbose ? { verbose: true } : {}),
      ...(this.o.extra ? { extra: this.o.extra } : {}),
    };
    const child = fork(this.o.script ?? path.join(__dirname, 'kv-node-main.js'), [JSON.stringify(args)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...(this.o.execArgv ?? (process.env.WALRAFT_NODE_FLAGS ?? '').split(' ').filter(Boolean))],
    });
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => {
        for (const p of pending.values()) p.reject(new NodeProcessError('Exited', 'EXITED', `node ${id} exited`));
        pending.clear();
        if (this.nodes.get(id)?.child === child) this.nodes.delete(id);
        resolve(code);
      });
    });
    const ready = new Promise<{ port: number; address: string }>((resolve, reject) => {
      child.on('message', (m: KvNodeReply | { ready: true; port: number; address: string }) => {
        if ('ready' in m) {
          resolve(m);
          return;
        }
        const p = pending.get(m.seq);
        if (!p) return;
        pending.delete(m.seq);
        if (m.ok) p.resolve(m.result);
        else p.reject(new NodeProcessError(m.error.name, m.error.code, m.error.message, m.error.definite === true));
      });
      void exited.then((code) => {
        reject(new Error(`node ${id} exited with ${String(code)} during start-up`));
      });
    });
    const running: Running = { child, pending, exited, port: 0, address: '' };
    this.nodes.set(id, running);
    const r = await ready;
    running.port = r.port;
    running.address = r.address;
    this.addresses.set(id, r.address);
  }

  address(id: number): string {
    const a = this.addresses.get(id);
    if (!a) throw new Error(`node ${id} has no address yet`);
    return a;
  }

  dataDir(id: number): string {
    return path.join(this.dir, `n${id}`);
  }

  isRunning(id: number): boolean {
    return this.nodes.has(id);
  }

  running(): number[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  pid(id: number): number | undefined {
    return this.nodes.get(id)?.child.pid;
  }

  request<T = unknown>(
    id: number,
    req: KvNodeRequest | { readonly op: string; readonly [field: string]: unknown },
  ): Promise<T> {
    const n = this.nodes.get(id);
    if (!n) return Promise.reject(new NodeProcessError('NotRunning', 'NOT_RUNNING', `node ${id} is not running`));
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      n.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      // a process that just died fails the write (EPIPE) before its exit event arrives
      n.child.send({ seq, req }, (err) => {
        if (!err || !n.pending.delete(seq)) return;
        reject(new NodeProcessError('Exited', 'EXITED', `node ${id} is gone: ${err.message}`));
      });
    });
  }

  /** The leader as the running nodes see it: some node says it leads and the others agree or know none. */
  async leader(timeoutMs = 15_000, except?: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const ids = this.running().filter((id) => id !== except);
      const statuses = await Promise.all(
        ids.map((id) =>
          this.request<{ role: string; lead: number; term: number }>(id, { op: 'status' }).catch(() => undefined),
        ),
      );
      const leaders = statuses.filter((s) => s?.role === 'leader');
      const top = leaders.sort((a, b) => (b?.term ?? 0) - (a?.term ?? 0))[0];
      if (top && statuses.every((s) => s === undefined || s.term < top.term || s.lead === top.lead)) return top.lead;
      if (performance.now() > deadline) throw new Error('no leader elected in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** kill -9 (or another signal); resolves once the process is gone. */
  async kill(id: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const n = this.nodes.get(id);
    if (!n) return;
    n.child.kill(signal);
    await n.exited;
  }

  signal(id: number, signal: NodeJS.Signals): void {
    this.nodes.get(id)?.child.kill(signal);
  }

  /**
   * Ends every node with kill -9 and removes the data; with `graceful`, first asks each to stop (so it exits normally and, say, a
   * --cpu-prof profile gets written), killing only those still running after `timeoutMs`.
   */
  async close(o: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (o.graceful) {
      await Promise.all(
        [...this.nodes.entries()].map(([id, n]) => {
          const stopped = this.request(id, { op: 'stop' })
            .catch(() => undefined)
            .then(() => n.exited);
          const late = new Promise<void>((r) => setTimeout(r, o.timeoutMs ?? 10_000).unref());
          return Promise.race([stopped, late]);
        }),
      );
    }
    await Promise.all([...this.nodes.keys()].map((id) => this.kill(id)));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
