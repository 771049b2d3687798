// npm run bench [-- --quick] [--json FILE] [--docs]
// walraft on three local node processes next to raw better-sqlite3 (and dqlite, when dqlite-benchmark is on
// PATH), in one run: kv writes for 1–256 writers (embedded and remote), reads at each consistency level,
// failover under load, snapshot catch-up of a joining node, restart of a node with a large database, and
// the CPU, peak RSS and event-loop delay of the node processes. Prints markdown tables; the full run (or
// --docs) also writes docs/benchmarks.md and docs/benchmarks.png.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client, Consistency, Database } from 'walraft';
import { connect } from 'walraft';
import { renderChart } from './chart';
import { dqliteAvailable, dqliteKvwrite } from './dqlite';
import { rawSqlite } from './raw-sqlite';
import type { Measured } from './stats';
import { fmt, repeat } from './stats';
import type { LoopDelay, Usage } from './walraft-cluster';
import { BenchCluster, clusterId, handles } from './walraft-cluster';
import { runOnHandles } from 'walraft/dist/testing/workload';
import { renderMarkdown } from './report';
import type { BenchReport, ReadRow, WriteRow } from './report';

const writerCounts = [1, 4, 16, 64, 256];
const db = 'bench.db';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface Settings {
  readonly quick: boolean;
  readonly seconds: number;
  readonly reps: number;
  readonly snapshotMb: number;
  readonly restartMb: number;
  readonly failovers: number;
}

function settings(quick: boolean): Settings {
  return quick
    ? { quick, seconds: 2, reps: 1, snapshotMb: 20, restartMb: 50, failovers: 1 }
    : { quick, seconds: 5, reps: 3, snapshotMb: 200, restartMb: 1024, failovers: 5 };
}

/** CPU % of each node over a cell and its event-loop delay p99, around `run`. */
async function observed<T>(
  c: BenchCluster,
  ids: readonly number[],
  run: () => Promise<T>,
): Promise<{ result: T; cpu: number[]; loopP99: number[] }> {
  const before: Usage[] = await Promise.all(ids.map((id) => c.usage(id)));
  await Promise.all(ids.map((id) => c.loopDelay(id)));
  const t0 = performance.now();
  const result = await run();
  const wall = performance.now() - t0;
  const after: Usage[] = await Promise.all(ids.map((id) => c.usage(id)));
  const loops: LoopDelay[] = await Promise.all(ids.map((id) => c.loopDelay(id)));
  return {
    result,
    cpu: after.map((u, i) => Math.round((100 * (u.cpuMs - (before[i]?.cpuMs ?? 0))) / wall)),
    loopP99: loops.map((l) => Math.round(l.p99 * 10) / 10),
  };
}

async function writes(c: BenchCluster, s: Settings): Promise<WriteRow[]> {
  const rows: WriteRow[] = [];
  const leader = await c.leader();
  const ids = [leader, ...c.c.running().filter((id) => id !== leader)];
  for (const writers of writerCounts) {
    const spec = { db, kind: 'write' as const, clients: writers, seconds: s.seconds };
    const embedded = await observed(c, ids, () =>
      repeat(s.reps, () => c.c.request<Measured>(leader, { op: 'bench', ...spec })),
    );
    rows.push({ access: 'embedded', writers, ...embedded.result, cpu: embedded.cpu, loopP99: embedded.loopP99 });
    log(`writes embedded ${writers}: ${fmt(embedded.result.opsPerSec)}/s`);
    const clients = await c.clients(leader, Math.min(writers, 16));
    try {
      const dbs = await handles(clients, writers, db);
      const remote = await observed(c, ids, () => repeat(s.reps, () => runOnHandles(dbs, spec)));
      rows.push({ access: 'remote', writers, ...remote.result, cpu: remote.cpu, loopP99: remote.loopP99 });
      log(`writes remote ${writers}: ${fmt(remote.result.opsPerSec)}/s`);
    } finally {
      for (const cl of clients) await cl.close();
    }
  }
  return rows;
}

async function reads(c: BenchCluster, s: Settings): Promise<ReadRow[]> {
  const rows: ReadRow[] = [];
  const leader = await c.leader();
  const follower = await c.follower();
  const cells: [ReadRow['where'], number, Consistency][] = [
    ['leader', leader, 'linearizable'],
    ['follower', follower, 'linearizable'],
    ['follower', follower, 'none'],
  ];
  for (const [where, node, consistency] of cells) {
    for (const clients of [1, 64]) {
      const spec = { db, kind: 'read' as const, clients, seconds: s.seconds, consistency };
      const embedded = await repeat(s.reps, () => c.c.request<Measured>(node, { op: 'bench', ...spec }));
      rows.push({ where, consistency, access: 'embedded', clients, ...embedded });
      const cls = await c.clients(node, Math.min(clients, 16));
      try {
        const dbs = await handles(cls, clients, db);
        rows.push({
          where,
          consistency,
          access: 'remote',
          clients,
          ...(await repeat(s.reps, () => runOnHandles(dbs, spec))),
        });
      } finally {
        for (const cl of cls) await cl.close();
      }
      log(`reads ${where} ${consistency} ${clients}: ${fmt(rows[rows.length - 1]?.opsPerSec ?? 0)}/s remote`);
    }
  }
  return rows;
}

/** kill -9 the leader under load (16 remote writers); the time until a write started after the kill commits. */
async function failover(c: BenchCluster, s: Settings): Promise<number[]> {
  const times: number[] = [];
  for (let round = 0; round < s.failovers; round++) {
    const all = c.c.running();
    const clients: Client[] = [];
    for (const id of all) {
      clients.push(
        await connect([c.c.address(id), ...all.filter((x) => x !== id).map((x) => c.c.address(x))], { clusterId }),
      );
    }
    const dbs = await handles(clients, 16, db);
    let killedAt = Infinity;
    let recoveredAt = Infinity;
    let stop = false;
    const loop = async (d: Database): Promise<void> => {
      while (!stop) {
        const t0 = performance.now();
        try {
          await d.run('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)', [`f${round}-${t0}`, 'x']);
          if (t0 > killedAt) recoveredAt = Math.min(recoveredAt, performance.now());
        } catch {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const loops = dbs.map(loop);
    await new Promise((r) => setTimeout(r, 1_000));
    const lead = await c.leader();
    killedAt = performance.now();
    await c.c.kill(lead);
    await c.until(() => Promise.resolve(recoveredAt < Infinity), 60_000);
    stop = true;
    await Promise.all(loops);
    for (const cl of clients) await cl.close();
    times.push(recoveredAt - killedAt);
    log(`failover ${round + 1}: ${Math.round(recoveredAt - killedAt)} ms`);
    await c.c.start(lead);
    await c.caughtUp();
  }
  return times;
}

/** A node joining a cluster whose log was compacted past a database of `mb` MB: catch-up rate. */
async function snapshotJoin(c: BenchCluster, mb: number): Promise<{ mb: number; seconds: number }> {
  const lead = await c.leader();
  await c.c.request(lead, { op: 'fill', db, mb });
  // enough small entries that two snapshots are taken and the log is compacted past the data
  const cl = await connect([c.c.address(lead)], { clusterId });
  const d = await cl.open(db);
  for (let i = 0; i < 1_100; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, j) =>
        d.run('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)', [`s${i + j}`, 'x']),
      ),
    );
  }
  await cl.close();
  await c.caughtUp();
  const target = (await c.status(lead)).commit;
  const t0 = performance.now();
  await c.c.start(4, { join: [lead] });
  await c.until(async () => (await c.status(4)).applied >= target);
  return { mb, seconds: (performance.now() - t0) / 1000 };
}

/** kill -9 a follower holding `mb` MB and restart it: until it serves, and until it has caught up. */
async function restart(
  c: BenchCluster,
  mb: number,
  haveMb: number,
): Promise<{ mb: number; serveMs: number; caughtUpMs: number }> {
  const lead = await c.leader();
  if (mb > haveMb) await c.c.request(lead, { op: 'fill', db, mb: mb - haveMb });
  await c.caughtUp();
  const victim = await c.follower();
  await c.c.kill(victim);
  const t0 = performance.now();
  await c.c.start(victim);
  const serveMs = performance.now() - t0;
  const target = (await c.status(lead)).commit;
  await c.until(async () => (await c.status(victim)).applied >= target);
  return { mb, serveMs, caughtUpMs: performance.now() - t0 };
}

async function main(argv: readonly string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const jsonAt = argv.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') i++;
    else if (a !== '--quick' && a !== '--docs')
      throw new Error(`unknown option ${String(a)} (--quick, --json FILE, --docs)`);
  }
  const writeDocs = argv.includes('--docs') || !quick;
  const s = settings(quick);
  const t0 = performance.now();
  log(`bench: ${quick ? 'quick' : 'full'} run, ${s.seconds} s cells × ${s.reps}`);

  const raw: BenchReport['raw'] = [];
  for (const sync of ['FULL', 'NORMAL'] as const) {
    raw.push({ synchronous: sync, ...(await repeat(s.reps, () => Promise.resolve(rawSqlite(sync, s.seconds)))) });
  }
  log(`raw: FULL ${fmt(raw[0]?.opsPerSec ?? 0)}/s, NORMAL ${fmt(raw[1]?.opsPerSec ?? 0)}/s`);

  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: machine(),
    quick,
    seconds: s.seconds,
    reps: s.reps,
    raw,
    writes: [],
    dqlite: undefined,
    reads: [],
    failoverMs: [],
    snapshot: undefined,
    restart: undefined,
    nodes: [],
    durationS: 0,
  };

  const a = new BenchCluster();
  try {
    await a.start(3);
    const lead = await a.leader();
    const setup = await connect([a.c.address(lead)], { clusterId });
    const sd = await setup.open(db);
    await sd.exec('CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB)');
    await sd.batch(
      Array.from({ length: 1000 }, (_, i) => ({
        sql: 'INSERT INTO kv (k, v) VALUES (?, ?)',
        params: [`k${i}`, Buffer.alloc(1024, 7)],
      })),
    );
    await setup.close();
    report.writes = await writes(a, s);
    report.reads = await reads(a, s);
    report.failoverMs = await failover(a, s);
    for (const id of a.c.running()) {
      const u = await a.usage(id);
      report.nodes.push({ id, cpuS: Math.round(u.cpuMs / 100) / 10, maxRssMb: Math.round(u.maxRssMb) });
    }
  } finally {
    await a.close();
  }

  const b = new BenchCluster(500);
  try {
    await b.start(3);
    const lead = await b.leader();
    const setup = await connect([b.c.address(lead)], { clusterId });
    await (await setup.open(db)).exec('CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB)');
    await setup.close();
    report.snapshot = await snapshotJoin(b, s.snapshotMb);
    log(`snapshot join: ${s.snapshotMb} MB in ${report.snapshot.seconds.toFixed(1)} s`);
    report.restart = await restart(b, s.restartMb, s.snapshotMb);
    log(`restart with ${s.restartMb} MB: serving after ${Math.round(report.restart.serveMs)} ms`);
    for (const id of b.c.running()) {
      const u = await b.usage(id);
      report.nodes.push({ id: 10 + id, cpuS: Math.round(u.cpuMs / 100) / 10, maxRssMb: Math.round(u.maxRssMb) });
    }
  } finally {
    await b.close();
  }

  if (dqliteAvailable()) {
    report.dqlite = [];
    for (const writers of writerCounts) {
      const runs = [];
      for (let i = 0; i < s.reps; i++) runs.push(await dqliteKvwrite(writers, s.seconds));
      runs.sort((x, y) => x.opsPerSec - y.opsPerSec);
      const mid = runs[Math.floor(runs.length / 2)];
      if (mid)
        report.dqlite.push({
          writers,
          ...mid,
          errors: runs.reduce((n, r) => n + r.errors, 0),
          runs: runs.map((r) => Math.round(r.opsPerSec)),
        });
      log(`dqlite ${writers}: ${fmt(mid?.opsPerSec ?? 0)}/s`);
    }
  } else log('dqlite-benchmark not on PATH (apt-get install go-dqlite): dqlite rows skipped');

  const self = process.resourceUsage();
  report.bench = {
    cpuS: Math.round((self.userCPUTime + self.systemCPUTime) / 1e5) / 10,
    maxRssMb: Math.round(self.maxRSS / 1024),
  };
  report.durationS = Math.round((performance.now() - t0) / 1000);
  const md = renderMarkdown(report);
  process.stdout.write(`${md}\n`);
  if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  if (writeDocs) {
    const docs = path.join(__dirname, '..', '..', '..', 'docs');
    fs.writeFileSync(path.join(docs, 'benchmarks.png'), chart(report));
    fs.writeFileSync(path.join(docs, 'benchmarks.md'), `${md}\n`);
    log('wrote docs/benchmarks.md and docs/benchmarks.png');
  }
}

function machine(): BenchReport['machine'] {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

function chart(r: BenchReport): Buffer {
  const flat = (y: number): [number, number][] => writerCounts.map((x) => [x, y]);
  const series = [
    {
      name: 'walraft, embedded writers',
      points: r.writes.filter((w) => w.access === 'embedded').map((w): [number, number] => [w.writers, w.opsPerSec]),
    },
    {
      name: 'walraft, remote writers',
      points: r.writes.filter((w) => w.access === 'remote').map((w): [number, number] => [w.writers, w.opsPerSec]),
    },
    ...(r.dqlite
      ? [
          {
            name: 'dqlite (dqlite-benchmark kvwrite)',
            points: r.dqlite.map((d): [number, number] => [d.writers, d.opsPerSec]),
          },
        ]
      : []),
    { name: 'raw SQLite, synchronous=FULL (1 writer)', points: flat(r.raw[0]?.opsPerSec ?? 0) },
    { name: 'raw SQLite, synchronous=NORMAL (1 writer)', points: flat(r.raw[1]?.opsPerSec ?? 0) },
  ];
  return renderChart({
    title: `Commits/s against writers, 3 local nodes (${r.date.slice(0, 10)})`,
    xLabel: 'concurrent writers',
    yLabel: 'commits/s',
    xLog: true,
    series,
  });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
