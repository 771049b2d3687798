// One fault run: a cluster, a workload driven by concurrent clients, a nemesis cycling faults on and off;
// then heal, resolve every unknown outcome with recover(), read the final state from every node, and check
// the history.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client, Consistency, Database } from 'walraft';
import { CommitOutcomeUnknownError, connect } from 'walraft';
import { seededRandom } from '@walraft/raft';
import { FaultCluster } from './cluster';
import type { Op, OpValue } from './history';
import { scanLogs } from './log-scan';
import type { Nemesis, NemesisContext, NemesisName } from './nemesis';
import { makeNemesis } from './nemesis';
import type { WorkloadName } from './workloads';
import { makeWorkload } from './workloads';
import type { Workload } from './workloads/workload';

export interface RunOptions {
  readonly workload: WorkloadName;
  readonly nemeses: readonly NemesisName[];
  /** Seconds of workload under faults. */
  readonly time: number;
  readonly nodes: number;
  readonly seed: number;
  readonly readConsistency: Consistency;
  /** Concurrent clients (default two per node). */
  readonly concurrency?: number;
  /** Keep the run directory even when the run passes. */
  readonly keep?: boolean;
  /** Progress lines go here. */
  readonly log?: (line: string) => void;
}

export interface RunSummary {
  readonly ops: number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  readonly unresolved: number;
  readonly anomalies: number;
  /** The checker's anomalies, then the node log and process findings. */
  readonly findings: string[];
  readonly stats: Record<string, number>;
  readonly faults: number;
  /** Where the history and logs are (removed after a passing run unless kept). */
  readonly dir: string;
  readonly kept: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Exit code of a node stopping on a fatal storage error (`walraft start`). */
const fatalStorageExit = 74;
const clusterId = 'faults';

export async function runFaults(o: RunOptions): Promise<RunSummary> {
  const log = o.log ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `walraft-faults-${o.workload}-`));
  const random = seededRandom(o.seed, 1);
  const nemesisRandom = seededRandom(o.seed, 2);
  const workload = makeWorkload(o.workload, { random, readConsistency: o.readConsistency });
  const cluster = new FaultCluster({
    dir,
    nodes: o.nodes,
    spareIds: 10,
    clusterId,
    random: seededRandom(o.seed, 3),
    execArgv: ['--require', path.join(__dirname, 'disk-fault-hook.js')],
  });
  const clients: Client[] = [];
  const notes: string[] = [];
  const t0 = performance.now();
  const now = (): number => Math.round((performance.now() - t0) * 10) / 10;
  const note = (what: string): void => {
    notes.push(`${now()} ${what}`);
    log(`  ${(now() / 1000).toFixed(1)}s ${what}`);
  };
  const connectTo = async (first: string): Promise<Client> => {
    const others = cluster.memberAddresses().filter((a) => a !== first);
    const c = await connect([first, ...others], {
      clusterId,
      requestTimeoutMs: 5_000,
      retryTimeoutMs: 5_000,
      connectTimeoutMs: 2_000,
    });
    clients.push(c);
    return c;
  };
  let passed = false;
  // Interrupted (Ctrl-C, SIGTERM): no node outlives the run, frozen ones included, and the data goes.
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping every node and removing ${dir}`);
    void cluster.close().finally(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await cluster.start();
    log(`cluster of ${o.nodes} up in ${dir}`);
    const concurrency = o.concurrency ?? 2 * o.nodes;
    const dbs: Database[] = [];
    for (let i = 0; i < concurrency; i++) {
      const ids = cluster.memberIds();
      const c = await connectTo(cluster.address(ids[i % ids.length] ?? 1));
      dbs.push(await c.open('faults.db'));
    }
    await workload.setup(dbs[0] as Database);

    const history: Op[] = [];
    const deadline = performance.now() + o.time * 1000;
    const running = (): boolean => performance.now() < deadline;
    const workers = dbs.map((db, i) => worker(db, i, concurrency, workload, o.readConsistency, running, now, history));
    let adminClient: Client | undefined;
    const ctx: NemesisContext = {
      cluster,
      random: nemesisRandom,
      // a fresh client of the current members each time: the member nemesis replaces nodes
      admin: async () => {
        await adminClient?.close();
        adminClient = await connectTo(cluster.memberAddresses()[0] ?? '');
        return adminClient;
      },
      note,
    };
    const faults = await nemesisLoop(
      o.nemeses.map((n) => makeNemesis(n)),
      ctx,
      running,
    );
    await Promise.all(workers);
    log(`workload done: ${history.length} operations; healing`);

    // heal, then wait until every member has a leader and has applied what it knows to be committed
    await cluster.heal();
    await cluster.waitFor('a healed cluster', async () => {
      const all = await Promise.all(cluster.memberIds().map((id) => cluster.node(id).status()));
      return all.every((s) => s !== undefined && s.leader !== 0 && s.appliedIndex >= s.commitIndex);
    });
    const finalClient = await connectTo(cluster.memberAddresses()[0] ?? '');
    const finalDb = await finalClient.open('faults.db');

    // every unknown outcome of a write, resolved: recover() is final once it answers
    for (const op of history) {
      if (op.outcome !== 'info' || op.token === undefined || !workload.writes(op.value)) continue;
      op.recovered = await retrying(() => finalDb.recover(Buffer.from(op.token ?? '', 'hex')));
    }
    // the final state, read on every member
    for (const id of cluster.memberIds()) {
      const db = await (await connectTo(cluster.address(id))).open('faults.db');
      for (const value of workload.finalReads()) {
        const invoke = now();
        const r = await retrying(() => workload.invoke(db, value, 'linearizable'));
        history.push({ process: -id, invoke, complete: now(), outcome: r.outcome, value: r.value });
      }
    }

    const check = workload.check(history);
    const findings = [...check.anomalies];
    for (const op of history) {
      if (op.outcome === 'info' && op.token === undefined && workload.writes(op.value)) {
        findings.push(`an indefinite error without a commit token (${op.error ?? '?'}) at ${op.invoke} ms`);
      }
    }
    findings.push(...scanLogs(cluster.logFiles()));
    for (const n of cluster.nodes.values()) {
      for (const e of n.unexpectedExits) {
        const storageStop = e.code === fatalStorageExit && o.nemeses.includes('disk');
        // a brand-new node whose join failed (no quorum reachable while other faults were on) was never a
        // member; its nemesis step already reported the failure and no data of it exists
        const failedJoin = e.duringStart && !cluster.members.has(n.id);
        if (!storageStop && !failedJoin)
          findings.push(`node ${n.id} exited by itself (code ${String(e.code)}, ${String(e.signal)})`);
      }
    }
    const count = (k: Op['outcome']): number => history.filter((h) => h.outcome === k).length;
    const unresolved = history.filter(
      (h) => h.outcome === 'info' && workload.writes(h.value) && h.recovered === undefined,
    ).length;
    fs.writeFileSync(path.join(dir, 'history.json'), `${history.map((h) => JSON.stringify(h)).join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'nemesis.log'), `${notes.join('\n')}\n`);
    const summary = {
      ops: history.length,
      ok: count('ok'),
      fail: count('fail'),
      info: count('info'),
      unresolved,
      anomalies: findings.length,
      findings,
      stats: check.stats,
      faults,
      dir,
    };
    fs.writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(summary, null, 2)}\n`);
    passed = summary.anomalies === 0 && summary.unresolved === 0;
    return { ...summary, kept: !passed || o.keep === true };
  } catch (err) {
    throw new Error(`${(err as Error).message} (node logs kept in ${dir})`, { cause: err });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const c of clients) await c.close().catch(() => undefined);
    await cluster.close();
    if (passed && o.keep !== true) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One client slot: operations one after another; after an unknown outcome it continues as a new process. */
async function worker(
  db: Database,
  slot: number,
  slots: number,
  w: Workload,
  consistency: Consistency,
  running: () => boolean,
  now: () => number,
  history: Op[],
): Promise<void> {
  let process = slot;
  while (running()) {
    const value: OpValue = w.next();
    const invoke = now();
    let op: Op;
    try {
      const r = await w.invoke(db, value, consistency);
      op = {
        process,
        invoke,
        complete: now(),
        outcome: r.outcome,
        value: r.value,
        ...(r.error ? { error: r.error } : {}),
      };
    } catch (err) {
      const e = err as Error & { code?: string; definite?: boolean };
      const error = e.code ?? e.name;
      if (err instanceof CommitOutcomeUnknownError) {
        op = {
          process,
          invoke,
          complete: now(),
          outcome: 'info',
          value,
          error,
          token: Buffer.from(err.token).toString('hex'),
        };
      } else if (e.definite === true || !w.writes(value)) {
        // a read that failed had no effect, whatever the error
        op = { process, invoke, complete: now(), outcome: 'fail', value, error };
      } else {
        op = { process, invoke, complete: now(), outcome: 'info', value, error };
      }
      await sleep(10);
    }
    history.push(op);
    if (op.outcome === 'info') process += slots;
  }
}

/**
 * Cycles faults until the workload ends: quiet for 1–3 s, then faults held for 2–5 s and undone. With more
 * than one nemesis, half of the cycles overlap two different ones (a kill during a partition, say). Returns
 * how many faults were injected.
 */
async function nemesisLoop(nemeses: Nemesis[], ctx: NemesisContext, running: () => boolean): Promise<number> {
  let count = 0;
  const wait = async (ms: number): Promise<void> => {
    const until = performance.now() + ms;
    while (running() && performance.now() < until) await sleep(50);
  };
  while (running()) {
    await wait(1_000 + ctx.random() * 2_000);
    if (!running() || nemeses.length === 0) break;
    const first = Math.floor(ctx.random() * nemeses.length);
    const picked = [nemeses[first] as Nemesis];
    if (nemeses.length > 1 && ctx.random() < 0.5) {
      picked.push(nemeses[(first + 1 + Math.floor(ctx.random() * (nemeses.length - 1))) % nemeses.length] as Nemesis);
    }
    const active: Nemesis[] = [];
    for (const n of picked) {
      try {
        const what = await n.start(ctx);
        if (what === undefined) continue;
        active.push(n);
        count++;
        ctx.note(what);
      } catch (err) {
        ctx.note(`${n.name}: could not start: ${(err as Error).message}`);
      }
    }
    if (active.length === 0) continue;
    await wait(2_000 + ctx.random() * 3_000);
    // undone in reverse order: a node killed during a partition restarts once the partition is healed
    for (const n of active.reverse()) {
      try {
        await n.stop(ctx);
        ctx.note(`${n.name}: healed`);
      } catch (err) {
        ctx.note(`${n.name}: could not heal: ${(err as Error).message}`);
      }
    }
  }
  return count;
}

/** Retries a call that may fail while the cluster settles, for up to a minute. */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await sleep(200);
    }
  }
}
