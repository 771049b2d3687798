import * as os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Mutation } from '../core/mutations';
import { isMutation, mutations } from '../core/mutations';
import type { ScheduleResult } from './cluster';
import { runSchedule } from './cluster';

interface Args {
  seeds: number;
  start: number;
  nodes: number | undefined;
  mutate: Mutation | undefined;
  listMutations: boolean;
  stopAfter: number;
  trace: boolean;
  workers: number;
  chaosMs: number | undefined;
}

const usage = `usage: npm run sim -- [--seeds N] [--start S] [--nodes 3|5] [--mutate NAME] [--stop-after V]
                      [--trace] [--workers W] [--chaos-ms MS] | --list-mutations
  Runs N seeded schedules (seeds S .. S+N-1) and prints "schedules=N violations=V".
  Without --nodes, even seeds run 3 nodes and odd seeds 5.`;

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    seeds: 100,
    start: 1,
    nodes: undefined,
    mutate: undefined,
    listMutations: false,
    stopAfter: 0,
    trace: false,
    workers: Math.max(1, Math.min(os.availableParallelism(), 8)),
    chaosMs: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag ?? ''} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = Number(val());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${flag ?? ''} needs a non-negative integer`);
      return v;
    };
    switch (flag) {
      case '--seeds':
        a.seeds = int();
        break;
      case '--start':
        a.start = int();
        break;
      case '--nodes': {
        const n = int();
        if (n !== 3 && n !== 5) throw new Error('--nodes must be 3 or 5');
        a.nodes = n;
        break;
      }
      case '--mutate': {
        const m = val();
        if (!isMutation(m)) throw new Error(`unknown mutation ${m}; see --list-mutations`);
        a.mutate = m;
        break;
      }
      case '--list-mutations':
        a.listMutations = true;
        break;
      case '--stop-after':
        a.stopAfter = int();
        break;
      case '--trace':
        a.trace = true;
        break;
      case '--workers':
        a.workers = Math.max(1, int());
        break;
      case '--chaos-ms':
        a.chaosMs = int();
        break;
      case '--help':
      case '-h':
        console.log(usage);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${flag ?? ''}\n${usage}`);
    }
  }
  return a;
}

interface Job {
  readonly seed: number;
  readonly nodes: number;
  readonly mutate: Mutation | undefined;
  readonly chaosMs: number | undefined;
}

function jobFor(args: Args, seed: number): Job {
  return { seed, nodes: args.nodes ?? (seed % 2 === 0 ? 3 : 5), mutate: args.mutate, chaosMs: args.chaosMs };
}

function runJob(job: Job): Promise<ScheduleResult> {
  return runSchedule({
    seed: job.seed,
    nodes: job.nodes,
    mutations: new Set(job.mutate ? [job.mutate] : []),
    chaosMs: job.chaosMs,
  });
}

function replayCommand(job: Job): string {
  return `npm run sim -- --seeds 1 --start ${job.seed} --nodes ${job.nodes}${job.mutate ? ` --mutate ${job.mutate}` : ''}${job.chaosMs ? ` --chaos-ms ${job.chaosMs}` : ''} --trace`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.listMutations) {
    for (const name of Object.keys(mutations)) console.log(name);
    return 0;
  }
  const started = Date.now();
  const jobs: Job[] = [];
  for (let s = args.start; s < args.start + args.seeds; s++) jobs.push(jobFor(args, s));
  let next = 0;
  let done = 0;
  let violations = 0;
  let events = 0;
  let stop = false;
  const report = (job: Job, r: ScheduleResult): void => {
    done++;
    events += r.events;
    if (r.violations.length > 0) {
      violations++;
      console.log(`\nseed ${job.seed} (${job.nodes} nodes): ${r.violations.length} violation(s)`);
      for (const v of r.violations) console.log(`  ${v}`);
      const trace = args.trace ? r.trace : r.trace.slice(-40);
      console.log(`  trace${args.trace ? '' : ' (last 40 lines; --trace for all)'}:`);
      for (const line of trace) console.log(`    ${line}`);
      console.log(`  replay: ${replayCommand(job)}`);
      if (args.stopAfter > 0 && violations >= args.stopAfter) stop = true;
    } else if (args.trace) {
      for (const line of r.trace) console.log(`    ${line}`);
    }
  };

  const workers = Math.min(args.workers, jobs.length);
  if (workers <= 1) {
    for (const job of jobs) {
      if (stop) break;
      report(job, await runJob(job));
    }
  } else {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const w = new Worker(__filename, { workerData: { worker: true } });
        let waiter: { resolve: (r: ScheduleResult) => void; reject: (e: Error) => void } | undefined;
        w.on('message', (r: ScheduleResult) => waiter?.resolve(r));
        w.on('error', (e) => waiter?.reject(e));
        w.on('exit', () => waiter?.reject(new Error('simulator worker exited')));
        try {
          while (!stop && next < jobs.length) {
            const job = jobs[next++] as Job;
            const r = await new Promise<ScheduleResult>((resolve, reject) => {
              waiter = { resolve, reject };
              w.postMessage(job);
            });
            report(job, r);
          }
        } finally {
          await w.terminate();
        }
      }),
    );
  }
  const secs = (Date.now() - started) / 1000;
  console.log(
    `ran ${done} schedules (${events} events) in ${secs.toFixed(1)}s: ${((done / secs) * 60).toFixed(0)} schedules/minute`,
  );
  console.log(`schedules=${done} violations=${violations}`);
  return violations > 0 ? 1 : 0;
}

if (isMainThread) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(2);
    },
  );
} else if ((workerData as { worker?: boolean } | null)?.worker) {
  parentPort?.on('message', (job: Job) => {
    runJob(job).then(
      (r) => parentPort?.postMessage(r),
      (err: unknown) => {
        parentPort?.postMessage({
          seed: job.seed,
          nodes: job.nodes,
          violations: [`simulator crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`],
          trace: [],
          events: 0,
          stats: {},
        });
      },
    );
  });
}
