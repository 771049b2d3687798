// npm run bench:raft — committed proposals/s and commit latency on a 3-node cluster of child processes on
// loopback (real gRPC, real fdatasync), for 1, 16 and 256 concurrent proposers with 1 KiB payloads, and
// failover time (kill -9 the leader → the next commit). Proposers run inside the leader's process, as an
// embedded application would.
import { measureDiskFlushRate } from './disk-flush-rate';
import { ProcessCluster } from './process-cluster';

interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

interface PutManyResult {
  acked: string[];
  failed: unknown[];
  elapsedMs: number;
  p50: number;
  p99: number;
}

async function threeNodes(): Promise<ProcessCluster> {
  const c = new ProcessCluster({ checkpointEvery: 1_000_000 });
  await c.start(1, { bootstrap: true });
  await c.start(2, { join: [1] });
  await c.start(3, { join: [1] });
  // wait for both promotions
  for (;;) {
    const s = await c.request<{ conf: { voters: number[] } }>(1, { op: 'status' });
    if (s.conf.voters.length === 3) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return c;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const rows: string[] = [];
  const c = await threeNodes();
  try {
    const leader = await c.leader();
    // the same disk, measured while the cluster is idle, just before the runs it explains (it varies)
    const disk1 = await measureDiskFlushRate(1);
    const disk3 = await measureDiskFlushRate(3);
    for (const concurrency of [1, 16, 256]) {
      const count = quick ? Math.max(500, concurrency * 20) : concurrency === 1 ? 5_000 : concurrency * 200;
      // warm-up
      await c.request(leader, {
        op: 'putMany',
        prefix: `w${concurrency}-`,
        count: Math.min(count, 1000),
        concurrency,
        valueBytes: 1024,
      });
      for (const id of c.running()) await c.request(id, { op: 'loopDelay' });
      const r = await c.request<PutManyResult>(leader, {
        op: 'putMany',
        prefix: `b${concurrency}-`,
        count,
        concurrency,
        valueBytes: 1024,
      });
      const rate = (r.acked.length / r.elapsedMs) * 1000;
      const loops = await Promise.all(
        c.running().map(async (id) => ({ id, d: await c.request<LoopDelay>(id, { op: 'loopDelay' }) })),
      );
      const loop = loops.map(({ id, d }) => `${id === leader ? 'L ' : ''}${d.p99.toFixed(1)}`).join(' / ');
      rows.push(
        `| ${concurrency} | ${Math.round(rate).toLocaleString('en-US')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.failed.length} | ${loop} |`,
      );
    }
    // failover: kill -9 the leader while a proposer waits, measure until the next commit succeeds
    const failovers: number[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      const lead = await c.leader();
      const t0 = performance.now();
      await c.kill(lead);
      const others = c.running();
      let done = false;
      while (!done) {
        for (const id of others) {
          try {
            await c.request(id, { op: 'put', key: `failover-${i}`, value: 'x' });
            done = true;
            break;
          } catch {
            // not the leader yet
          }
        }
        if (!done) await new Promise((r) => setTimeout(r, 10));
      }
      failovers.push(performance.now() - t0);
      await c.start(lead);
    }
    print('3 nodes on loopback, 1 KiB payloads, proposers in the leader process');
    print();
    print('| proposers | commits/s | p50 ms | p99 ms | errors | event-loop delay p99 ms per node (L = leader) |');
    print('|---|---|---|---|---|---|');
    for (const r of rows) print(r);
    // One proposer waits, per commit, for the leader's flush and then a follower's (on one shared disk the
    // follower's queues behind the leader's), plus a network round trip: two flushes bound it from above.
    print(
      `\nthe disk under the data, one 1 KiB write + fdatasync: ${fmt(disk1.p50Micros)} µs (p50) alone, ` +
        `${fmt(disk3.p50Micros)} µs with three writers at once (${fmt(disk3.perSecond)}/s together). ` +
        `A commit needs its entry flushed on two nodes, here on one disk: the follower's flush starts when ` +
        `the append reaches it, with the leader's under way, and queues behind it. Two flushes in a row ` +
        `bound one proposer to ~${fmt(1e6 / (2 * disk1.p50Micros))}/s, before any network or software time.`,
    );
    failovers.sort((a, b) => a - b);
    print(
      `\nfailover (kill -9 leader → next commit): ${failovers.map((f) => `${Math.round(f)} ms`).join(', ')}; median ${Math.round(failovers[Math.floor(failovers.length / 2)] ?? 0)} ms`,
    );
  } finally {
    await c.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
