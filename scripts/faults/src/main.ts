// npm run faults -- --workload W --nemesis N[,N…] --time SECONDS [--nodes 3|5] [--seed S]
//                   [--read-consistency linearizable|weak|none] [--concurrency C] [--keep]
// Ends with `ops=… ok=… fail=… info=… unresolved=… anomalies=…`; exits 0 only when both are zero.
import { consistencyFlag, intFlag, nemesisFlag, parseFlags, workloadFlag } from './args';
import { runFaults } from './run';

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv, {
    '--workload': 'value',
    '--nemesis': 'value',
    '--time': 'value',
    '--nodes': 'value',
    '--seed': 'value',
    '--read-consistency': 'value',
    '--concurrency': 'value',
    '--keep': 'bool',
  });
  const seed = intFlag(flags, '--seed', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31);
  const opts = {
    workload: workloadFlag(flags.get('--workload') ?? 'set'),
    nemeses: nemesisFlag(flags.get('--nemesis') ?? 'kill'),
    time: intFlag(flags, '--time', 30, 1, 86_400),
    nodes: intFlag(flags, '--nodes', 3, 3, 7),
    seed,
    readConsistency: consistencyFlag(flags.get('--read-consistency') ?? 'linearizable'),
    keep: flags.has('--keep'),
    log: (line: string) => {
      process.stdout.write(`${line}\n`);
    },
  };
  const concurrency = flags.has('--concurrency') ? intFlag(flags, '--concurrency', 6, 1, 256) : undefined;
  process.stdout.write(
    `faults: workload=${opts.workload} nemesis=${opts.nemeses.join(',') || 'none'} time=${opts.time}s nodes=${opts.nodes} ` +
      `seed=${seed} reads=${opts.readConsistency}\n`,
  );
  const s = await runFaults({ ...opts, ...(concurrency !== undefined ? { concurrency } : {}) });
  for (const f of s.findings.slice(0, 20)) process.stdout.write(`  ! ${f}\n`);
  if (s.findings.length > 20) process.stdout.write(`  … ${s.findings.length - 20} more in ${s.dir}/report.json\n`);
  process.stdout.write(`checker: ${JSON.stringify(s.stats)}; faults injected: ${s.faults}\n`);
  if (s.kept) process.stdout.write(`history and node logs kept in ${s.dir}\n`);
  process.stdout.write(
    `ops=${s.ops} ok=${s.ok} fail=${s.fail} info=${s.info} unresolved=${s.unresolved} anomalies=${s.anomalies}\n`,
  );
  return s.anomalies === 0 && s.unresolved === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`faults: ${(err as Error).message}\n`);
    process.exitCode = 2;
  },
);
