import type { Measured } from './stats';
import { fmt, median, ms } from './stats';

export interface WriteRow extends Measured {
  readonly access: 'embedded' | 'remote';
  readonly writers: number;
  /** CPU % of each node during the cell, the leader first. */
  readonly cpu: number[];
  /** Event-loop delay p99 (ms) of each node during the cell, the leader first. */
  readonly loopP99: number[];
}

export interface ReadRow extends Measured {
  readonly where: 'leader' | 'follower';
  readonly consistency: string;
  readonly access: 'embedded' | 'remote';
  readonly clients: number;
}

export interface BenchReport {
  date: string;
  machine: { cpu: string; cores: number; memGb: number; os: string; node: string };
  quick: boolean;
  seconds: number;
  reps: number;
  raw: ({ synchronous: string } & Measured)[];
  writes: WriteRow[];
  dqlite: ({ writers: number } & Measured)[] | undefined;
  reads: ReadRow[];
  failoverMs: number[];
  snapshot: { mb: number; seconds: number } | undefined;
  restart: { mb: number; serveMs: number; caughtUpMs: number } | undefined;
  /** Per node process: CPU seconds and peak RSS (ids 11+ are the snapshot/restart cluster's). */
  nodes: { id: number; cpuS: number; maxRssMb: number }[];
  bench?: { cpuS: number; maxRssMb: number };
  durationS: number;
}

/** The targets we hold ourselves to (3 nodes, this machine). */
function targets(r: BenchReport): [string, string, string, boolean][] {
  const w = (access: string, n: number): WriteRow | undefined =>
    r.writes.find((x) => x.access === access && x.writers === n);
  const one = w('embedded', 1);
  const many = w('embedded', 64);
  const reads64 = r.reads.filter((x) => x.consistency === 'linearizable' && x.clients === 64);
  const bestReads = Math.max(0, ...reads64.map((x) => x.opsPerSec));
  const fo = median(r.failoverMs);
  return [
    ['1 writer', '≥ 1,500 commits/s', `${fmt(one?.opsPerSec ?? 0)}/s`, (one?.opsPerSec ?? 0) >= 1500],
    [
      '64 writers',
      '≥ 10,000 commits/s, 0 errors, p99 ≤ 20 ms',
      `${fmt(many?.opsPerSec ?? 0)}/s, ${many?.errors ?? 0} errors, p99 ${ms(many?.p99Ms ?? 0)} ms`,
      (many?.opsPerSec ?? 0) >= 10_000 && many?.errors === 0 && (many.p99Ms ?? Infinity) <= 20,
    ],
    ['linearizable reads, 64 clients', '≥ 20,000/s', `${fmt(bestReads)}/s (best node and access)`, bestReads >= 20_000],
    ['failover (kill -9 leader → writes again)', '≤ 1.5 s', `${fmt(fo)} ms (median)`, fo <= 1500],
  ];
}

export function renderMarkdown(r: BenchReport): string {
  const L: string[] = [];
  const m = r.machine;
  L.push('# Benchmarks');
  L.push('');
  L.push(
    `${r.quick ? 'Quick run' : 'Full run'} of \`npm run bench${r.quick ? ' -- --quick' : ''}\` on ${r.date.slice(0, 16).replace('T', ' ')} UTC: ${m.cores} × ${m.cpu}, ${m.memGb} GiB, ${m.os}, Node ${m.node}. ` +
      `Every walraft figure is 3 node processes on loopback (real gRPC, real fdatasync, one machine: the nodes share its ${m.cores} cores). ` +
      `Each cell ran ${r.reps} × ${r.seconds} s; the median run is shown (its p50/p99), errors are summed over all runs. Took ${r.durationS} s.`,
  );
  L.push('');
  L.push('![commits/s against writers](benchmarks.png)');
  L.push('');
  L.push('## Targets');
  L.push('');
  L.push('| target | wanted | measured | met |');
  L.push('|---|---|---|---|');
  for (const [what, want, got, ok] of targets(r)) L.push(`| ${what} | ${want} | ${got} | ${ok ? 'yes' : 'no'} |`);
  L.push('');
  L.push('## Writes');
  L.push('');
  L.push(
    'kv writes as in dqlite-benchmark `kvwrite`: `INSERT OR REPLACE` of a random 32-byte key and a 1 KiB value, one row per transaction, closed loop.',
  );
  L.push('Embedded writers run inside the leader process; remote writers are gRPC clients in the bench process.');
  L.push('');
  L.push('| system | writers | commits/s | p50 ms | p99 ms | errors | CPU % leader / followers | event-loop p99 ms |');
  L.push('|---|---:|---:|---:|---:|---:|---|---|');
  for (const x of r.raw) {
    L.push(
      `| raw better-sqlite3, WAL, synchronous=${x.synchronous} | 1 | ${fmt(x.opsPerSec)} | ${ms(x.p50Ms)} | ${ms(x.p99Ms)} | 0 | – | – |`,
    );
  }
  for (const x of r.writes) {
    L.push(
      `| walraft, ${x.access} | ${x.writers} | ${fmt(x.opsPerSec)} | ${ms(x.p50Ms)} | ${ms(x.p99Ms)} | ${x.errors} | ${x.cpu.join(' / ')} | ${x.loopP99.join(' / ')} |`,
    );
  }
  if (r.dqlite) {
    for (const x of r.dqlite) {
      L.push(
        `| dqlite (dqlite-benchmark kvwrite) | ${x.writers} | ${fmt(x.opsPerSec)} | ${ms(x.p50Ms)} | ${ms(x.p99Ms)} | ${fmt(x.errors)} | – | – |`,
      );
    }
  } else {
    L.push('| dqlite | – | not run: `dqlite-benchmark` not on PATH (`apt-get install go-dqlite`) | | | | | |');
  }
  L.push('');
  L.push('## Reads');
  L.push('');
  L.push('Point reads of 1,000 keys (1 KiB values), closed loop.');
  L.push('');
  L.push('| node | consistency | access | clients | reads/s | p50 ms | p99 ms | errors |');
  L.push('|---|---|---|---:|---:|---:|---:|---:|');
  for (const x of r.reads) {
    L.push(
      `| ${x.where} | ${x.consistency} | ${x.access} | ${x.clients} | ${fmt(x.opsPerSec)} | ${ms(x.p50Ms)} | ${ms(x.p99Ms)} | ${x.errors} |`,
    );
  }
  L.push('');
  L.push('## Failover, snapshot, restart');
  L.push('');
  L.push(
    `- Failover (kill -9 the leader under 16 remote writers → the first write started after the kill commits): ${r.failoverMs.map((f) => `${fmt(f)} ms`).join(', ')}; median **${fmt(median(r.failoverMs))} ms**.`,
  );
  if (r.snapshot) {
    L.push(
      `- Snapshot: a node joining a cluster with a ${r.snapshot.mb} MB database (log compacted past it) caught up in ${r.snapshot.seconds.toFixed(1)} s: **${(r.snapshot.mb / r.snapshot.seconds).toFixed(0)} MB/s**.`,
    );
  }
  if (r.restart) {
    L.push(
      `- Restart: a follower holding a ${r.restart.mb} MB database, killed with -9 and restarted, served again after **${fmt(r.restart.serveMs)} ms** and had caught up after ${fmt(r.restart.caughtUpMs)} ms.`,
    );
  }
  L.push('');
  L.push('## Resources');
  L.push('');
  L.push('| process | CPU s | peak RSS MB |');
  L.push('|---|---:|---:|');
  for (const n of r.nodes) {
    const name = n.id > 10 ? `node ${n.id - 10} (snapshot/restart cluster)` : `node ${n.id}`;
    L.push(`| ${name} | ${n.cpuS} | ${n.maxRssMb} |`);
  }
  if (r.bench) L.push(`| bench process (remote clients, raw SQLite) | ${r.bench.cpuS} | ${r.bench.maxRssMb} |`);
  L.push('');
  L.push('## Reproduce');
  L.push('');
  L.push('```sh');
  L.push('sudo apt-get install go-dqlite   # optional: adds the dqlite rows (dqlite-benchmark)');
  L.push('npm run bench                    # the full run; rewrites docs/benchmarks.md and docs/benchmarks.png');
  L.push('npm run bench -- --quick --json results.json   # a few minutes, nothing written to docs/');
  L.push('WALRAFT_NODE_FLAGS=--cpu-prof npm run bench -- --quick   # CPU profiles of the node processes');
  L.push('```');
  return L.join('\n');
}
