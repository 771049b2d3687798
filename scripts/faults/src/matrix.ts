// npm run faults:matrix [-- --time S] [--nodes N] [--seed S] [--smoke]
// Every workload × every nemesis (each alone, then all together), plus one run that must fail: register
// with `none` reads under partitions, which the linearizability checker has to catch as stale. Each cell is
// its own process; the table of results is printed as markdown. Exit 0 only when every cell is as expected.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { intFlag, parseFlags } from './args';
import { nemesisNames } from './nemesis';
import { workloadNames } from './workloads';

interface Cell {
  readonly workload: string;
  readonly nemesis: string;
  readonly reads?: string;
  /** This run must find anomalies (it proves the checker sees what it should). */
  readonly mustFail?: boolean;
}

/** The CI smoke matrix: each workload twice, each nemesis at least once, and the checker proof. */
const smokeCells: Cell[] = [
  { workload: 'set', nemesis: 'kill' },
  { workload: 'bank', nemesis: 'partition' },
  { workload: 'append', nemesis: 'pause,transfer' },
  { workload: 'register', nemesis: 'kill,partition' },
  { workload: 'set', nemesis: 'member,disk' },
  { workload: 'bank', nemesis: 'packet' },
  { workload: 'append', nemesis: 'all' },
  { workload: 'register', nemesis: 'partition', reads: 'none', mustFail: true },
];

function fullCells(): Cell[] {
  const cells: Cell[] = [];
  for (const workload of workloadNames) {
    for (const nemesis of [...nemesisNames, 'all']) cells.push({ workload, nemesis });
  }
  cells.push({ workload: 'register', nemesis: 'partition', reads: 'none', mustFail: true });
  return cells;
}

interface Result {
  readonly cell: Cell;
  readonly line: string;
  readonly anomalies: number;
  readonly unresolved: number;
  readonly pass: boolean;
  readonly seconds: number;
  readonly kept?: string;
}

function runCell(cell: Cell, time: number, nodes: number, seed: number): Promise<Result> {
  const args = [
    path.join(__dirname, 'main.js'),
    '--workload',
    cell.workload,
    '--nemesis',
    cell.nemesis,
    '--time',
    String(time),
    '--nodes',
    String(nodes),
    '--seed',
    String(seed),
    ...(cell.reads ? ['--read-consistency', cell.reads] : []),
  ];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // an interrupted matrix stops the run under way, which stops its nodes and removes its data
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
      child.once('exit', () => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      const lines = out.trim().split('\n');
      const line = [...lines].reverse().find((l) => l.startsWith('ops=')) ?? lines[lines.length - 1] ?? '';
      const num = (k: string): number => Number(new RegExp(`${k}=(\\d+)`).exec(line)?.[1] ?? NaN);
      const anomalies = num('anomalies');
      const unresolved = num('unresolved');
      const finished = Number.isFinite(anomalies);
      const pass = finished && (cell.mustFail ? anomalies > 0 : anomalies === 0 && unresolved === 0);
      const kept = /kept in (\S+)/.exec(out)?.[1];
      if (!pass) process.stdout.write(`${out}\n`);
      // the must-fail run kept its directory as every failing run does; caught as expected, it holds no news
      if (pass && cell.mustFail && kept) fs.rmSync(kept, { recursive: true, force: true });
      resolve({
        cell,
        line,
        anomalies,
        unresolved,
        pass,
        seconds: Math.round((performance.now() - t0) / 1000),
        ...(kept && !pass ? { kept } : {}),
      });
    });
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv, { '--time': 'value', '--nodes': 'value', '--seed': 'value', '--smoke': 'bool' });
  const smoke = flags.has('--smoke');
  const time = intFlag(flags, '--time', smoke ? 25 : 60, 1, 86_400);
  const nodes = intFlag(flags, '--nodes', 3, 3, 7);
  const seed = intFlag(flags, '--seed', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31);
  const cells = smoke ? smokeCells : fullCells();
  process.stdout.write(`fault matrix: ${cells.length} runs of ${time} s on ${nodes} nodes, seed ${seed}\n`);
  const results: Result[] = [];
  for (const [i, cell] of cells.entries()) {
    const r = await runCell(cell, time, nodes, seed + i);
    results.push(r);
    process.stdout.write(
      `${r.pass ? 'pass' : 'FAIL'} ${cell.workload} × ${cell.nemesis}${cell.reads ? ` (${cell.reads} reads)` : ''} ` +
        `[${r.seconds}s]: ${r.line}\n`,
    );
  }
  process.stdout.write('\n| workload | nemesis | reads | result | ops | ok | fail | info | unresolved | anomalies |\n');
  process.stdout.write('|---|---|---|---|---|---|---|---|---|---|\n');
  for (const r of results) {
    const f = (k: string): string => new RegExp(`${k}=(\\d+)`).exec(r.line)?.[1] ?? '–';
    const verdict = r.pass ? (r.cell.mustFail ? 'caught (expected)' : 'pass') : 'FAIL';
    process.stdout.write(
      `| ${r.cell.workload} | ${r.cell.nemesis} | ${r.cell.reads ?? 'linearizable'} | ${verdict} | ${f('ops')} | ${f('ok')} | ` +
        `${f('fail')} | ${f('info')} | ${f('unresolved')} | ${f('anomalies')} |\n`,
    );
  }
  const failed = results.filter((r) => !r.pass);
  for (const r of failed) if (r.kept) process.stdout.write(`kept: ${r.kept}\n`);
  process.stdout.write(`\n${results.length - failed.length} of ${results.length} runs as expected\n`);
  return failed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`faults:matrix: ${(err as Error).message}\n`);
    process.exitCode = 2;
  },
);
